"""The review engine: pure functions from Draft to Review, no Slack.

    from rules import Reviewer, review
    review(Draft(body="Hi Kari, ..."))            # built-in packs
    Reviewer.load(rules_dir="team/").review(d)    # with a team's folder
"""
from rules.engine import ReviewContext, Reviewer, review
from rules.packs import PackError

__all__ = ["PackError", "ReviewContext", "Reviewer", "review"]
