from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "tenure.messaging"
    label = "messaging"
    verbose_name = _("Customer messages")

    def ready(self) -> None:
        from tenure.complaints.lifecycle import COMPLAINT_RESOLVED
        from tenure.core.signals import ROWS_UPSERTED
        from tenure.messaging.models import Bounce, ConsentChange, Message
        from tenure.messaging.senders import complaint_reply_queue, lottery_drawn_queue, survey_invitations_queue
        from tenure.messaging.services import languages_import
        from tenure.org.scoping import register_scope
        from tenure.retention.signals import LOTTERY_DRAWN
        from tenure.surveys.services import WAVE_ISSUED

        register_scope(Message, "customer__branch_id")
        register_scope(ConsentChange, "customer__branch_id")
        register_scope(Bounce, "customer__branch_id")
        COMPLAINT_RESOLVED.connect(complaint_reply_queue, dispatch_uid="messaging.complaint_reply")
        WAVE_ISSUED.connect(survey_invitations_queue, dispatch_uid="messaging.survey_invitations")
        LOTTERY_DRAWN.connect(lottery_drawn_queue, dispatch_uid="messaging.lottery_prizes")
        ROWS_UPSERTED.connect(languages_import, dispatch_uid="messaging.languages_import")
