from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "tenure.surveys"
    label = "surveys"
    verbose_name = "Surveys and satisfaction"

    def ready(self) -> None:
        from tenure.org.scoping import register_scope
        from tenure.surveys.models import CallbackTask, Invitation, Response, StaffInvitation, StaffResponse

        register_scope(Invitation, "customer__branch_id")
        register_scope(Response, "customer__branch_id")
        register_scope(CallbackTask, "customer__branch_id")
        # Staff surveys: the branch the member of staff worked at when invited (kept on both rows).
        register_scope(StaffInvitation, "branch_code")
        register_scope(StaffResponse, "branch_code")
