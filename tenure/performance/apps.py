from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "tenure.performance"
    label = "performance"
    verbose_name = "Staff performance: scorecards and service stars"

    def ready(self) -> None:
        from tenure.org.scoping import register_scope
        from tenure.performance import models as m

        # Scorecards belong to the branch of the customers behind them (so do the lines, read by
        # `selectors.drill_lines`); an award to the branch it was given for (bank-wide awards to
        # head office, seen by head-office roles only).
        register_scope(m.Scorecard, "branch_code")
        register_scope(m.StarAward, "branch_code")
        # A mystery-shopping note belongs to the branch of ours it compares with.
        register_scope(m.MysteryShop, "our_branch_id")
