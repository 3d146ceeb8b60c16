from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "tenure.retention"
    label = "retention"
    verbose_name = "Retention playbooks"

    def ready(self) -> None:
        from tenure.org.scoping import register_scope
        from tenure.retention import models as m

        for model in (
            m.Handoff,
            m.Intercept,
            m.InterceptStep,
            m.Proposal,
            m.LostInterview,
            m.LotteryEntry,
            m.CampaignMember,
        ):
            register_scope(
                model, "intercept__customer__branch_id" if model is m.InterceptStep else "customer__branch_id"
            )
        register_scope(m.Campaign, "branch_id")
        register_scope(m.LotteryDraw, "branch_id")
        register_scope(m.LotteryWinner, "entry__customer__branch_id")
