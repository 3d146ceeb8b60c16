"""Record of what was imported: one row per (business date, table), with the file's digest."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedFile(models.Model):
    """A table file of a business-date folder that was validated and written.

    A lake partition is valid only when a row here names it with the same digest: an import
    killed between writing the lake and committing leaves an orphan the next run overwrites.
    """

    business_date = models.DateField(_("business date"), db_index=True)
    table = models.CharField(_("table"), max_length=32)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveBigIntegerField(_("rows"))
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)
    replaced = models.PositiveIntegerField(_("times replaced"), default=0)
    # SHA-256 of the folder's control file the file was checked against; "" = imported without one
    # (`tenure import --no-control-file`, or before control files were required).
    control_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business_date", "table"], name="one_file_per_table_and_date")]
        ordering = ["business_date", "table"]
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")

    def __str__(self) -> str:
        return f"{self.business_date} {self.table} ({self.rows} rows)"
