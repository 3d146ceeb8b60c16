"""The signals retention sends, apart from the modules that send them so that a receiver connects
without loading the lottery's pandas and churn features at set-up (issue 27, a lighter start-up)."""

from django.dispatch import Signal

# Sent by `lottery.lottery_draw` inside the draw's transaction with `draw`, `name`, `winners` (entries,
# in the order drawn) and `by`: messaging queues the prize notices (retention does not import messaging).
LOTTERY_DRAWN = Signal()
