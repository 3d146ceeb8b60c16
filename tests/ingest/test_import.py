"""`tenure import` on valid extracts: what lands in the DB and the lake, idempotence, --replace, options."""

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.contrib.auth.models import Group
from pyarrow import csv as pa_csv

from tenure import lake
from tenure.core.models import AuditEntry
from tenure.customers.models import Account, Customer, Merchant
from tenure.ingest.models import ImportedFile
from tenure.ingest.reading import TableFile
from tenure.ingest.schema import TABLE_BY_NAME, TABLES
from tenure.lake.paths import SORT_KEYS
from tenure.org.models import Branch, Staff
from tests.ingest.extract_factory import (
    DATES,
    csv_bytes,
    make_extract,
    run_failing_import,
    run_import,
    store_snapshot,
    write_control,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_store")]


@pytest.fixture
def extract():
    return make_extract()


def _rows(extract, table):
    return sum(len(folder.get(table, [])) for folder in extract.folders.values())


def test_import_writes_every_table_and_records_it(extract, tmp_path):
    root = extract.write(tmp_path / "extracts")
    summary, report = run_import(root)

    assert summary["written"] == {t.name: _rows(extract, t.name) for t in TABLES}
    assert summary["dates"] == {DATES[0]: "imported", DATES[1]: "imported"}
    assert summary["errors"] == 0 and summary["rows_per_second"] > 0
    assert Customer.objects.count() == 6 and Account.objects.count() == 11 and Merchant.objects.count() == 2
    for day in DATES:
        for table, rows in extract.folders[day].items():
            record = ImportedFile.objects.get(business_date=day, table=table)
            assert record.rows == len(rows)
            assert record.sha256 == TableFile(TABLE_BY_NAME[table], root / day / f"{table}.csv").sha256
            assert lake.partition_digest(table, dt.date.fromisoformat(day)) == record.sha256
    audits = AuditEntry.objects.filter(action="import").order_by("object_id")
    assert [a.object_id for a in audits] == list(DATES)
    assert audits[1].detail["written"]["transactions"] == len(extract.folders[DATES[1]]["transactions"])
    assert f"{DATES[1]}: imported" in report


def test_fact_partitions_are_sorted_by_account_whatever_the_file_order(extract, tmp_path):
    day = DATES[1]
    extract.folders[day]["transactions"].reverse()
    extract.folders[day]["balances"].reverse()
    run_import(extract.write(tmp_path / "extracts"))

    for table, keys in SORT_KEYS.items():
        written = pq.read_table(lake.partition_file(table, dt.date.fromisoformat(day)))
        rows = list(zip(*(written[k].to_pylist() for k in keys), strict=True))
        assert len(rows) == len(extract.folders[day][table]) > 1
        assert rows == sorted(rows)
        assert len({r[0] for r in rows}) > 1  # several accounts: the order is not trivial


def test_changed_dimension_rows_overwrite_and_keep_their_business_date(extract, tmp_path):
    run_import(extract.write(tmp_path / "extracts"))

    changed = extract.folders[DATES[1]]["customers"][0]
    customer = Customer.objects.get(customer_no=changed["customer_no"])
    assert customer.mobile == changed["mobile"] and customer.risk_tolerance == "C4"
    assert customer.updated_on == dt.date(2024, 2, 29)
    untouched = Customer.objects.get(customer_no=extract.folders[DATES[0]]["customers"][1]["customer_no"])
    assert untouched.updated_on == dt.date(2024, 1, 31)


def test_branches_get_their_paths_and_staff_their_login_and_role(extract, tmp_path):
    run_import(extract.write(tmp_path / "extracts"))

    assert Branch.objects.get(code="S0102").path == "/HO/B01/S0102/"
    rm = Staff.objects.get(employee_no="E001")
    assert rm.username == "E001" and rm.full_name == "王芳" and rm.home_branch_id == "S0101"
    assert not rm.has_usable_password()
    assert rm.role_codes == {"rm"}
    assert set(Group.objects.get(name="branch_head").user_set.values_list("username", flat=True)) == {"E003"}


def test_a_changed_role_replaces_the_old_one_and_leaves_the_others(extract, tmp_path):
    run_import(extract.write(tmp_path / "extracts", dates=(DATES[0],)))
    staff = [dict(s) for s in extract.folders[DATES[0]]["staff"]]
    promoted = next(s for s in staff if s["employee_no"] == "E001")
    promoted["role"] = "branch_head"
    extract.folders[DATES[1]]["staff"] = [promoted, next(s for s in staff if s["employee_no"] == "E002")]

    run_import(extract.write(tmp_path / "extracts"))

    assert Staff.objects.get(employee_no="E001").role_codes == {"branch_head"}
    assert Staff.objects.get(employee_no="E002").role_codes == {"rm"}
    assert Staff.objects.get(employee_no="E003").role_codes == {"branch_head"}
    heads = Group.objects.get(name="branch_head").user_set.values_list("username", flat=True)
    assert sorted(heads) == ["E001", "E003"]


def test_lake_holds_typed_columns_and_no_clear_identifiers(extract, tmp_path):
    run_import(extract.write(tmp_path / "extracts"))

    schema = pq.read_schema(lake.partition_file("transactions", dt.date(2024, 1, 31)))
    assert schema.field("amount").type == pa.decimal128(18, 2)
    assert pa.types.is_timestamp(schema.field("txn_time").type)  # Parquet keeps seconds as milliseconds
    customers = pq.read_table(lake.partition_file("customers", dt.date(2024, 1, 31)))
    assert customers.schema.field("consent_sms").type == pa.bool_()
    assert customers.schema.field("onboarded_on").type == pa.date32()
    assert {"id_number", "mobile", "name", "email", "address"}.isdisjoint(customers.column_names)
    assert {"id_number_bidx", "mobile_bidx"} <= set(customers.column_names)
    accounts = pq.read_table(lake.partition_file("accounts", dt.date(2024, 1, 31)))
    assert {"account_number", "card_number"}.isdisjoint(accounts.column_names)
    products = pq.read_table(lake.partition_file("products", dt.date(2024, 1, 31)))
    assert products.schema.field("rate").type == pa.decimal128(18, 4)


def test_importing_the_same_folder_again_writes_nothing(extract, tmp_path):
    root = extract.write(tmp_path / "extracts")
    run_import(root)
    before = store_snapshot()

    summary, report = run_import(root)

    assert set(summary["written"].values()) == {0}
    assert set(summary["dates"].values()) == {"unchanged"}
    assert "nothing to import" in report
    assert store_snapshot() == before


def test_a_lost_lake_partition_is_rewritten_from_the_same_files(extract, tmp_path):
    root = extract.write(tmp_path / "extracts")
    run_import(root)
    day = dt.date.fromisoformat(DATES[1])
    lake.remove_partition("balances", day)

    summary, report = run_import(root)

    assert summary["dates"] == {DATES[0]: "unchanged", DATES[1]: "repaired"}
    assert "balances" in report and set(summary["written"].values()) == {0}
    assert (
        lake.partition_digest("balances", day) == ImportedFile.objects.get(business_date=day, table="balances").sha256
    )


def test_a_changed_file_for_an_imported_date_is_refused(extract, tmp_path):
    root = extract.write(tmp_path / "extracts")
    run_import(root)
    before = store_snapshot()
    extract.folders[DATES[1]]["transactions"][0]["amount"] = "1.00"
    extract.write(root)

    code, summary, report = run_failing_import(root)

    assert code == 3
    assert summary["dates"] == {DATES[0]: "unchanged", DATES[1]: "refused"}
    assert "--replace" in report and "transactions" in report
    assert store_snapshot() == before


def test_replace_reimports_the_date_and_is_audited(extract, tmp_path):
    root = extract.write(tmp_path / "extracts")
    run_import(root)
    extract.folders[DATES[1]]["transactions"][0]["amount"] = "1.00"
    extract.folders[DATES[1]]["customers"][1]["name"] = "周杰"
    extract.write(root)

    summary, _ = run_import(root, replace=True)

    assert summary["dates"] == {DATES[0]: "unchanged", DATES[1]: "replaced"}
    assert summary["written"]["transactions"] == len(extract.folders[DATES[1]]["transactions"])
    day = dt.date(2024, 2, 29)
    record = ImportedFile.objects.get(business_date=day, table="transactions")
    assert record.replaced == 1 and ImportedFile.objects.get(business_date=day, table="accounts").replaced == 0
    assert lake.partition_digest("transactions", day) == record.sha256
    changed = extract.folders[DATES[1]]["transactions"][0]["txn_id"]
    written = pq.read_table(lake.partition_file("transactions", day)).to_pydict()
    assert str(written["amount"][written["txn_id"].index(changed)]) == "1.00"
    renamed = Customer.objects.get(customer_no=extract.folders[DATES[1]]["customers"][1]["customer_no"])
    assert (renamed.name, renamed.name_pinyin, renamed.name_initials) == ("周杰", "zhoujie", "zj")  # search keys follow
    assert AuditEntry.objects.filter(action="import_replace", object_id=DATES[1]).count() == 1


def test_replacing_an_older_date_keeps_rows_a_later_date_changed(extract, tmp_path):
    root = extract.write(tmp_path / "extracts")
    run_import(root)
    later = extract.folders[DATES[1]]["customers"][0]
    extract.folders[DATES[0]]["customers"][0]["occupation"] = "工程师"
    extract.folders[DATES[0]]["customers"][1]["occupation"] = "医生"
    extract.write(root)

    run_import(root, replace=True)

    assert Customer.objects.get(customer_no=later["customer_no"]).mobile == later["mobile"]
    assert Customer.objects.get(customer_no=later["customer_no"]).occupation == "教师"
    assert (
        Customer.objects.get(customer_no=extract.folders[DATES[0]]["customers"][1]["customer_no"]).occupation == "医生"
    )


def test_business_date_option_selects_or_names_a_folder(extract, tmp_path):
    root = extract.write(tmp_path / "extracts")

    summary, _ = run_import(root, business_date="2024-01-31")
    assert summary["dates"] == {DATES[0]: "imported"}

    unnamed = tmp_path / "latest"
    (root / DATES[1]).rename(unnamed)
    summary, _ = run_import(unnamed, business_date="2024-02-29")
    assert summary["dates"] == {DATES[1]: "imported"}

    code, _, message = run_failing_import(root / DATES[0], business_date="2024-02-29")
    assert code == 4 and "does not match" in message


def test_other_subfolders_are_ignored_and_unknown_files_refused(extract, tmp_path):
    root = extract.write(tmp_path / "extracts", dates=(DATES[0],))
    (root / "truth").mkdir()
    (root / "truth" / "churners.csv").write_text("customer_no\nC000001\n")
    assert run_import(root)[0]["dates"] == {DATES[0]: "imported"}

    other = extract.write(tmp_path / "other", dates=(DATES[1],))
    (other / DATES[1] / "notes.txt").write_text("hello")
    code, summary, report = run_failing_import(other)
    assert code == 1 and "notes.txt: unknown file" in report


def test_bom_crlf_and_blank_last_line_are_accepted(extract, tmp_path):
    root = extract.write(tmp_path / "extracts", dates=(DATES[0],))
    path = root / DATES[0] / "customers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n") + b"\r\n")
    write_control(root / DATES[0])

    summary, _ = run_import(root)

    assert summary["written"]["customers"] == 5
    assert Customer.objects.filter(name=extract.folders[DATES[0]]["customers"][0]["name"]).exists()


def test_gbk_file_is_refused_with_advice_and_converted_on_request(extract, tmp_path):
    root = extract.write(tmp_path / "extracts", dates=(DATES[0],))
    path = root / DATES[0] / "customers.csv"
    path.write_bytes(path.read_bytes().decode().encode("gbk"))
    write_control(root / DATES[0])

    code, _, report = run_failing_import(root)
    assert code == 1
    assert "customers.csv:2: not valid UTF-8: looks GBK-encoded; re-run with --encoding gbk" in report

    run_import(root, encoding="gbk")
    assert Customer.objects.get(customer_no="C000001").address == "北京市朝阳区建国路88号"


def test_parquet_files_are_accepted(extract, tmp_path):
    root = extract.write(tmp_path / "extracts", dates=(DATES[0],))
    for table in ("customers", "transactions"):
        path = root / DATES[0] / f"{table}.csv"
        as_text = {name: pa.string() for name in TABLE_BY_NAME[table].column_names}
        data = pa_csv.read_csv(
            path, convert_options=pa_csv.ConvertOptions(column_types=as_text, strings_can_be_null=True)
        )
        if table == "transactions":  # typed columns are read back as the text a CSV would carry
            data = data.set_column(2, "txn_time", data["txn_time"].cast(pa.timestamp("ms")))
            data = data.set_column(3, "amount", data["amount"].cast(pa.decimal128(12, 2)))
        pq.write_table(data, path.with_suffix(".parquet"))
        path.unlink()
    write_control(root / DATES[0])

    summary, _ = run_import(root)

    assert summary["written"]["customers"] == 5 and summary["written"]["transactions"] == 30
    assert ImportedFile.objects.get(table="transactions").file_name == "transactions.parquet"


def test_optional_columns_may_be_left_out(extract, tmp_path):
    root = extract.write(tmp_path / "extracts", dates=(DATES[0],))
    header = [c for c in TABLE_BY_NAME["branches"].column_names if c not in ("name_en", "city")]
    (root / DATES[0] / "branches.csv").write_bytes(csv_bytes("branches", extract.folders[DATES[0]]["branches"], header))
    write_control(root / DATES[0])

    run_import(root)

    assert Branch.objects.get(code="B01").city == ""


def test_dimension_text_reads_back_as_given_and_empty_stays_apart_from_missing(extract, tmp_path):
    """Quotes, commas and backslashes survive the DB write (COPY as CSV on PostgreSQL), an empty
    optional text is "" and an empty optional date is null; an update overwrites them alike."""
    customer = extract.folders[DATES[0]]["customers"][0]
    address = '北京市朝阳区建国路 "88" 号, 3单元 \\N'
    customer.update(name='王"芳, 测试', address=address, occupation="", birth_date="", risk_tolerance="")
    run_import(extract.write(tmp_path / "extracts", dates=(DATES[0],)))

    stored = Customer.objects.get(customer_no=customer["customer_no"])
    assert (stored.name, stored.address, stored.occupation, stored.risk_tolerance) == ('王"芳, 测试', address, "", "")
    assert stored.birth_date is None and stored.name_pinyin

    later = next(c for c in extract.folders[DATES[1]]["customers"] if c["customer_no"] == customer["customer_no"])
    later.update(name="王芳", address="", occupation="教师, 中学", birth_date="1980-02-29")
    run_import(extract.write(tmp_path / "extracts"))

    stored.refresh_from_db()
    assert (stored.name, stored.address, stored.occupation) == ("王芳", "", "教师, 中学")
    assert stored.birth_date == dt.date(1980, 2, 29) and stored.updated_on == dt.date(2024, 2, 29)
