"""What the Slack load benches share: loopback only (no proxy may catch 127.0.0.1), and the drafts they send."""
from __future__ import annotations

import os


def loopback_only() -> None:
    """Proxies from the environment would catch requests to 127.0.0.1; the benches talk to loopback only."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(name, None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


DRAFTS = [
    "Hi Kari, I watched your JavaZone talk on Kafka consumer groups. We are building the payments platform at "
    "Vipps and need exactly that experience. Would you be open to a 15-minute call next week?",
    "Dear candidate, fantastic opportunity with one of our clients! We are looking for a rockstar developer. "
    "Competitive salary and great benefits. Apply now!",
    "Ciao Giulia, ho letto il tuo articolo su Kotlin e le coroutine. Stiamo cercando una persona per il team "
    "piattaforma a Milano. Avresti tempo per una chiamata di 15 minuti la prossima settimana?",
]
