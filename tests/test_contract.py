"""Property: whatever Unicode arrives, the review completes and keeps the JSON contract."""
import json

from hypothesis import HealthCheck, given, settings, strategies as st

from models import Draft
from rules import Reviewer

REVIEWER = Reviewer.load()
FIELDS = {"id", "score", "verdict", "language", "category", "findings", "metrics"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=st.text(max_size=80), body=st.text(max_size=800), lang=st.sampled_from([None, "en", "nb", "it"]))
def test_any_text_gives_a_valid_review(subject, body, lang):
    review = REVIEWER.review(Draft(body=body, subject=subject, lang=lang))
    data = json.loads(json.dumps(review.to_dict()))
    assert set(data) == FIELDS and 0 <= data["score"] <= 100
    assert data["verdict"] == ("blocked" if any(f["severity"] == "error" for f in data["findings"])
                               else "revise" if any(f["severity"] == "warning" for f in data["findings"]) else "ready")
    for f in review.findings:
        text = review.subject_text if f.field == "subject" else review.body_text
        if f.span is not None:
            assert 0 <= f.span[0] <= f.span[1] <= len(text)
            assert f.suggestion.strip() != review.quote(f).strip()  # never "write X instead of X"
        assert f.message and f.suggestion
