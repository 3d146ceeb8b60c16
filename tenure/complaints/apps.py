from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "tenure.complaints"
    label = "complaints"
    verbose_name = "Complaints and service recovery"

    def ready(self) -> None:
        from tenure.complaints.models import Complaint, ComplaintEvent, ComplaintStep
        from tenure.org.scoping import register_scope

        # A complaint belongs to its customer's branch; an unmatched public complaint (no customer)
        # is visible to head office only, which is where the service-quality officers sit.
        register_scope(Complaint, "customer__branch_id")
        register_scope(ComplaintEvent, "complaint__customer__branch_id")
        register_scope(ComplaintStep, "complaint__customer__branch_id")
