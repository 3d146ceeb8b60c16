"""The churn commands end to end on a generated bank (1,500 customers × 8 months), via the CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TENURE = str(Path(sys.executable).with_name("tenure"))
pytestmark = pytest.mark.own_home


def _run(home: Path, *args: str) -> dict:
    env = {**os.environ, "TENURE_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([TENURE, *args], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("churn-home")
    extracts = home / "extracts"
    _run(
        home,
        "generate",
        "--customers",
        "1500",
        "--months",
        "8",
        "--end-date",
        "2026-06-30",
        "--out",
        str(extracts),
        "--json",
    )
    _run(home, "migrate", "--verbosity", "0")
    _run(home, "keys", "init")
    _run(home, "import", str(extracts))
    return home


def test_train_score_and_alerts(home):
    trained = _run(home, "churn", "train", "--as-of", "2026-06-30", "--json")
    assert trained["validation_date"] == "2026-03-31"  # the last month-end with three month-ends after it
    assert max(trained["train_dates"]) < trained["validation_date"]  # time-based: training is earlier
    assert trained["roc_auc"] > 0.6 and trained["ece"] < 0.1

    scored = _run(home, "churn", "score", "--date", "2026-06-30", "--json")
    assert scored["scored"] > 1000 and set(scored["bands"]) <= {"high", "medium", "low"}

    first = _run(home, "churn", "alerts", "--date", "2026-06-30", "--json")
    again = _run(home, "churn", "alerts", "--date", "2026-06-30", "--json")
    assert first["created"] > 0
    assert (again["created"], again["already_open"], again["refreshed"]) == (0, first["created"], 0)  # deduplicated

    # Alerts raised before the customers were scored (the first daily run of a new bank) carry no
    # probability; the next run brings the still-firing ones up to date, so the queue ranks them.
    stale = (
        "import json; from tenure.churn.models import Alert;"
        "n = Alert.objects.exclude(status='closed').update(probability=0, value_at_risk=0);"
        "print(json.dumps({'n': n}))"
    )
    assert _run(home, "shell", "-c", stale)["n"] == first["created"]
    refreshed = _run(home, "churn", "alerts", "--date", "2026-06-30", "--json")
    check_risk = (
        "import json; from tenure.churn.models import Alert, ChurnScore;"
        "p = dict(ChurnScore.objects.values_list('customer_id', 'probability'));"
        "b = dict(ChurnScore.objects.values_list('customer_id', 'band'));"
        "a = list(Alert.objects.exclude(status='closed'));"
        "print(json.dumps({'scored': sum(x.probability > 0 for x in a), 'at_risk': sum(x.value_at_risk > 0 for x in a),"
        "'unlike': sum(x.severity != b[x.customer_id] for x in a if x.customer_id in b),"
        "'wrong': sum(abs(x.probability - p.get(x.customer_id, 0)) > 1e-9"
        " or abs(x.value_at_risk - round(x.probability * max(float(x.contribution), 0), 2)) > 0.006 for x in a)}))"
    )
    risk = _run(home, "shell", "-c", check_risk)
    assert refreshed["created"] == 0 and refreshed["refreshed"] == risk["scored"] > 0
    assert risk["wrong"] == 0 and risk["unlike"] == 0  # an alert is rated as its customer's score

    # Reasons: computed while scoring for the high band, deferred for the others until first shown.
    check = (
        "import json; from tenure.churn.models import ChurnScore as S;"
        "from tenure.churn.services import ensure_reasons;"
        "low = list(S.objects.exclude(band='high').select_related('customer').order_by('-probability')[:5]);"
        "safest = list(S.objects.select_related('customer').order_by('probability')[:5]);"
        "deferred = S.objects.exclude(band='high').filter(reasons__isnull=True).count();"
        "computed = S.objects.filter(band='high', reasons__isnull=False).count();"
        "ensure_reasons(low + safest); [s.refresh_from_db() for s in low + safest];"
        "print(json.dumps({'deferred': deferred, 'computed': computed, 'others': S.objects.filter(band='high').count(),"
        "'filled': [s.reasons is not None for s in low], 'sentences': sum(len(s.reasons) for s in low),"
        "'safest': [s.reasons for s in safest]}))"
    )
    reasons = _run(home, "shell", "-c", check)
    assert reasons["deferred"] > 1000 and reasons["computed"] == reasons["others"] > 0
    assert reasons["filled"] == [True] * 5 and reasons["sentences"] > 0
    assert reasons["safest"] == [[]] * 5  # nothing raises a ~0 % customer's risk: no reasons at all

    # Deferred reasons are the ones scoring gives: from the features expression (no nightly run
    # for the date yet), then from the nightly's features output, read by row group.
    again = (
        "import json; from tenure.churn.models import ChurnScore as S;"
        "from tenure.churn.services import ensure_reasons;"
        "high = list(S.objects.filter(band='high').select_related('customer').order_by('pk')[:4]);"
        "before = [s.reasons for s in high];"
        "S.objects.filter(pk__in=[s.pk for s in high]).update(reasons=None); [s.refresh_from_db() for s in high];"
        "ensure_reasons(high); [s.refresh_from_db() for s in high];"
        "print(json.dumps({'same': [s.reasons for s in high] == before, 'n': len(high), 'nonempty': all(before)}))"
    )
    assert _run(home, "shell", "-c", again) == {"same": True, "n": 4, "nonempty": True}
    _run(home, "nightly", "--date", "2026-06-30", "--json")
    assert _run(home, "shell", "-c", again) == {"same": True, "n": 4, "nonempty": True}

    # The nightly published each customer's contribution: the open alerts now have a value at risk.
    valued = _run(home, "churn", "alerts", "--date", "2026-06-30", "--json")
    risk = _run(home, "shell", "-c", check_risk)
    assert valued["refreshed"] > 0 and risk["at_risk"] > 0 and risk["wrong"] == 0
