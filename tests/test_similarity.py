"""Near-duplicate detection on realistic recruiter drafts in English, Norwegian and Italian.

The corpora here are also what `bench/bench_similarity.py` builds its synthetic history from:
`TEMPLATES` are mass templates (one per language) with the recipient's details as fields,
`LIGHT_EDITS` change one sentence of each, and `BANKS` are sentence banks from which
`personalised_draft` writes a different draft per person for the same recruiter, role and
company, so that different drafts share the role's vocabulary the way real ones do.
"""
from __future__ import annotations

import random
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from rules.similarity import (
    MIN_SHINGLES,
    Fingerprint,
    Match,
    TemplateIndex,
    fingerprint,
    mask_personal,
)

LANGUAGES = ("en", "nb", "it")
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Person:
    """A recipient as the caller knows them; `personal` is what `mask_personal` is given."""

    first: str
    last: str
    company: str
    skill: str
    title: str
    project: str

    @property
    def key(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def personal(self) -> tuple[str, ...]:
        return (self.first, self.last, self.company, self.skill, self.title)

    def fill(self, text: str) -> str:
        return text.format(
            first=self.first, last=self.last, company=self.company, skill=self.skill,
            title=self.title, project=self.project,
        )


TEMPLATES = {
    "en": """Hi {first},

I hope this message finds you well! I came across your profile and was really impressed by your background in {skill}. I am currently working with one of our clients, a leading company in the fintech space, who is looking for a Senior Data Engineer to join their growing team in Oslo.

This is a fantastic opportunity to work on cutting-edge technology in a fast-paced environment. The team builds the data platform behind millions of daily payments, and they are looking for someone with strong experience in {skill} and cloud infrastructure. Given your experience at {company}, I think you could be a great fit.

They offer a competitive salary, excellent benefits, flexible working hours and a hybrid setup with two days a week in the office. There is also a generous training budget and a clear path to a lead role.

If this sounds interesting, I would love to set up a quick 15-minute call to tell you more. Are you available at some point next week? Even if the timing is not right, feel free to pass this on to anyone in your network who might be interested.

Best regards,
Anna Berg
Senior Talent Partner""",
    "nb": """Hei {first}!

Håper alt står bra til. Jeg kom over profilen din og ble imponert over erfaringen din med {skill}. Jeg jobber for tiden med en av våre kunder, et ledende selskap innen fintech, som søker en erfaren dataingeniør til et voksende team i Oslo.

Dette er en unik mulighet til å jobbe med moderne teknologi i et spennende og innovativt miljø. Teamet bygger dataplattformen bak millioner av betalinger hver dag, og de ser etter en person med solid erfaring innen {skill} og skyinfrastruktur. Med bakgrunnen din fra {company} tror jeg du kan passe veldig godt inn.

Kunden tilbyr konkurransedyktig lønn, gode forsikrings- og pensjonsordninger, fleksibel arbeidstid og mulighet for hjemmekontor to dager i uken. I tillegg får du et raust budsjett til kurs og konferanser, og en tydelig vei mot en lederrolle.

Høres dette interessant ut? Jeg tar gjerne en kort prat på 15 minutter for å fortelle mer. Passer det en gang neste uke? Selv om tidspunktet ikke passer for deg nå, setter jeg stor pris på om du tipser andre i nettverket ditt.

Med vennlig hilsen
Ingrid Solberg
Rådgiver, rekruttering""",
    "it": """Ciao {first},

spero tu stia bene! Ho visto il tuo profilo e sono rimasta colpita dalla tua esperienza con {skill}. Sto collaborando con un nostro cliente, un'azienda leader nel settore fintech, che cerca un Senior Data Engineer da inserire nel proprio team in forte crescita a Milano.

Si tratta di un'opportunità unica per lavorare con tecnologie all'avanguardia in un ambiente giovane e dinamico. Il team sviluppa la piattaforma dati che gestisce milioni di pagamenti ogni giorno e cerca una persona con solida esperienza in {skill} e infrastrutture cloud. Considerando il tuo percorso in {company}, credo che potresti essere la persona giusta.

L'azienda offre una RAL competitiva, ottimi benefit, orari flessibili e la possibilità di lavorare da remoto tre giorni a settimana. È previsto anche un budget dedicato alla formazione e un percorso di crescita chiaro verso un ruolo da team lead.

Se la proposta ti incuriosisce, mi piacerebbe organizzare una breve chiamata di 15 minuti per raccontarti di più. Saresti disponibile la prossima settimana? Anche se non è il momento giusto, ti sarei grata se volessi girare il messaggio a qualcuno nella tua rete.

Un caro saluto,
Giulia Ferrari
Talent Acquisition Specialist""",
}

# One sentence of each template, and what a recruiter changed it to.
LIGHT_EDITS = {
    "en": (
        "This is a fantastic opportunity to work on cutting-edge technology in a fast-paced environment.",
        "I noticed your recent post about scaling event pipelines and thought of this team straight away.",
    ),
    "nb": (
        "Dette er en unik mulighet til å jobbe med moderne teknologi i et spennende og innovativt miljø.",
        "Jeg så det siste innlegget ditt om skalering av hendelsesstrømmer og kom til å tenke på dette teamet.",
    ),
    "it": (
        "Si tratta di un'opportunità unica per lavorare con tecnologie all'avanguardia in un ambiente giovane e dinamico.",
        "Ho letto il tuo ultimo post sulla scalabilità delle pipeline di eventi e ho pensato subito a questo team.",
    ),
}

# Sentence banks for drafts written one by one: the same recruiter hiring for the same role at
# the same company (Fjordpay, senior data engineer, payments platform), each slot phrased six
# ways, the hook and closing about the person's own work ({project}).
BANKS: dict[str, dict[str, list[str]]] = {
    "en": {
        "greeting": ["Hi {first},", "Hello {first},", "Dear {first},", "Hey {first},", "Good morning {first},", "Hi {first} {last},"],
        "hook": [
            "I just read {project} and it stuck with me all morning.",
            "{project} was the clearest explanation of the problem I have come across this year.",
            "A colleague pointed me to {project}, and I ended up going through the whole thing twice.",
            "I noticed {project} on your profile and wanted to ask you about it directly.",
            "{project} is the reason I am writing to you rather than to anyone else.",
            "I have been following {project} for a while, and the way you handled the trade-offs impressed me.",
        ],
        "context": [
            "As a {title} at {company}, you have clearly spent years making {skill} behave under real load.",
            "Few people combine deep {skill} knowledge with the kind of product sense you show at {company}.",
            "Your years at {company} suggest you know what it takes to run {skill} in production, not just in demos.",
            "Being the {title} who keeps {skill} running at {company} must teach you a lot about failure modes.",
            "I can see from your time at {company} that {skill} is more than a keyword on your profile.",
            "What caught my eye is how your work as {title} ties {skill} to outcomes the business cares about.",
        ],
        "role": [
            "Fjordpay is hiring a senior data engineer for the payments platform team in Oslo.",
            "At Fjordpay we are looking for a senior data engineer to join the payments platform team here in Oslo.",
            "I lead hiring for the payments platform team at Fjordpay, and we have an opening for a senior data engineer.",
            "The payments platform team at Fjordpay in Oslo needs one more senior data engineer, and you came to mind first.",
            "We are growing the payments platform team at Fjordpay and want a senior data engineer who has done this before.",
            "My team at Fjordpay is opening a senior data engineer role on the payments platform, based in Oslo.",
        ],
        "work": [
            "The job is to rebuild how settlement data flows from the card networks into the ledger.",
            "You would own the streaming pipelines that turn raw payment events into reconciled balances.",
            "The first project is moving our nightly batch reconciliation to a streaming design without losing a single transaction.",
            "Most of the work sits between the payment events and the finance reports that depend on them.",
            "The team is replacing a fragile set of cron jobs with pipelines that can be replayed and audited.",
            "You would shape the data contracts between the payments services and everyone who reads their events.",
        ],
        "why": [
            "Your experience with {skill} is exactly what the team is missing right now.",
            "I think the way you approach {skill} would change how the team designs this.",
            "Someone who has lived through {project} would spot problems we have not even seen yet.",
            "You would be the most experienced {skill} person on the team, with real influence on its direction.",
            "The problems look a lot like the ones described in {project}, only with money attached.",
            "It is the kind of work where a {title} with your background makes the difference.",
        ],
        "team": [
            "The people you would work with have built payment systems at banks and start-ups alike.",
            "Engineers on the team choose their own tools and write down their decisions for everyone to read.",
            "We review each other's designs openly, and nobody ships alone on a Friday.",
            "Half the team came from consultancies and wanted to own something for the long term.",
            "We pair a lot, keep meetings short and protect two focus days every week.",
            "The team lead is an engineer who still writes code and reviews every design document.",
        ],
        "practical": [
            "The role is hybrid, with two office days, and I share the salary band in the first call.",
            "We work from the Oslo office on Tuesdays and Thursdays and remotely the rest of the week.",
            "There is no on-call rotation for this team, and the salary range is published in the job ad.",
            "The team is six engineers and a product manager, and the hiring process is two conversations.",
            "Pay is competitive for Oslo, and we are flexible on start dates.",
            "You can work remotely most of the week, and we cover travel when you come in.",
        ],
        "ask": [
            "Would you be up for a short call next week?",
            "Could I send you the job description and book a short chat if it looks interesting?",
            "Would a quick coffee in Oslo one afternoon work for you?",
            "If you are curious, reply with a time that suits you and I will make it work.",
            "Are you open to a short video call this week or next?",
            "Would it be worth a quarter of an hour to hear what the team is building?",
        ],
        "closing": [
            "If the timing is wrong, I would still love to hear your view on {project}.",
            "No pressure at all if you are happy where you are.",
            "If this is not for you, a short no is perfectly fine.",
            "Either way, thanks for sharing {project} with the world.",
            "If now is not a good moment, I am happy to check back in a few months.",
            "I know messages like this arrive often, so thank you for reading this far.",
        ],
        "signoff": ["Best, Anna", "Thanks, Anna", "Kind regards,\nAnna Berg", "All the best,\nAnna"],
    },
    "nb": {
        "greeting": ["Hei {first}!", "Hei {first},", "Hallo {first}!", "Kjære {first},", "God morgen {first}!", "Hei {first} {last},"],
        "hook": [
            "Jeg leste nettopp {project}, og det har jeg tenkt på hele formiddagen.",
            "{project} er den klareste forklaringen av problemet jeg har sett i år.",
            "En kollega tipset meg om {project}, og jeg endte med å lese alt to ganger.",
            "Jeg la merke til {project} på profilen din og ville spørre deg om det direkte.",
            "{project} er grunnen til at jeg skriver til akkurat deg.",
            "Jeg har fulgt {project} en stund, og måten du vurderte avveiningene på imponerte meg.",
        ],
        "context": [
            "Som {title} i {company} har du tydeligvis brukt år på å få {skill} til å tåle ekte last.",
            "Få kombinerer dyp kunnskap om {skill} med den produktforståelsen du viser i {company}.",
            "Årene dine i {company} tyder på at du vet hva som skal til for å drive {skill} i produksjon, ikke bare i demoer.",
            "Å være den som holder {skill} i gang i {company} lærer deg sikkert mye om hva som kan gå galt.",
            "Jeg ser av tiden din i {company} at {skill} er mer enn et stikkord på profilen.",
            "Det som fanget blikket mitt, er hvordan arbeidet ditt som {title} knytter {skill} til resultater virksomheten bryr seg om.",
        ],
        "role": [
            "Fjordpay ansetter en senior dataingeniør til betalingsplattformteamet i Oslo.",
            "I Fjordpay ser vi etter en senior dataingeniør som vil bli med i betalingsplattformteamet her i Oslo.",
            "Jeg har ansvaret for rekrutteringen til betalingsplattformteamet i Fjordpay, og vi har en ledig stilling som senior dataingeniør.",
            "Betalingsplattformteamet i Fjordpay i Oslo trenger én senior dataingeniør til, og du var den første jeg tenkte på.",
            "Vi bygger ut betalingsplattformteamet i Fjordpay og vil ha en senior dataingeniør som har gjort dette før.",
            "Teamet mitt i Fjordpay lyser ut en stilling som senior dataingeniør på betalingsplattformen, med base i Oslo.",
        ],
        "work": [
            "Jobben er å bygge om hvordan oppgjørsdata flyter fra kortnettverkene inn i hovedboken.",
            "Du vil eie strømmelinjene som gjør rå betalingshendelser om til avstemte saldoer.",
            "Det første prosjektet er å flytte den nattlige avstemmingen til en strømmebasert løsning uten å miste en eneste transaksjon.",
            "Det meste av arbeidet ligger mellom betalingshendelsene og økonomirapportene som er avhengige av dem.",
            "Teamet erstatter en skjør samling cron-jobber med datalinjer som kan spilles av på nytt og revideres.",
            "Du vil forme datakontraktene mellom betalingstjenestene og alle som leser hendelsene deres.",
        ],
        "why": [
            "Erfaringen din med {skill} er akkurat det teamet mangler nå.",
            "Jeg tror måten du angriper {skill} på, ville endre hvordan teamet designer dette.",
            "Noen som har stått i {project}, vil se problemer vi ikke engang har oppdaget ennå.",
            "Du ville vært den mest erfarne på {skill} i teamet, med reell innflytelse på retningen.",
            "Problemene ligner mye på dem i {project}, bare med penger involvert.",
            "Dette er den typen arbeid der en {title} med din bakgrunn utgjør forskjellen.",
        ],
        "team": [
            "Folkene du skal jobbe med, har bygget betalingssystemer både i banker og oppstartsselskaper.",
            "Utviklerne i teamet velger sine egne verktøy og skriver ned beslutningene sine så alle kan lese dem.",
            "Vi går gjennom hverandres design åpent, og ingen produksjonssetter alene på en fredag.",
            "Halve teamet kom fra konsulentbransjen og ville eie noe over tid.",
            "Vi parprogrammerer mye, holder møtene korte og skjermer to fokusdager hver uke.",
            "Teamlederen er en utvikler som fortsatt skriver kode og leser hvert designdokument.",
        ],
        "practical": [
            "Stillingen er hybrid med to kontordager, og lønnsrammen deler jeg i den første samtalen.",
            "Vi jobber fra kontoret i Oslo tirsdager og torsdager og hjemmefra resten av uken.",
            "Teamet har ingen vaktordning, og lønnsspennet står i stillingsannonsen.",
            "Teamet består av seks utviklere og en produktleder, og ansettelsesprosessen er to samtaler.",
            "Lønnen er konkurransedyktig for Oslo, og vi er fleksible på oppstartsdato.",
            "Du kan jobbe hjemmefra det meste av uken, og vi dekker reisen når du kommer inn.",
        ],
        "ask": [
            "Har du lyst på en kort prat neste uke?",
            "Kan jeg sende deg stillingsbeskrivelsen og avtale en kort samtale hvis den virker interessant?",
            "Passer det med en rask kaffe i Oslo en ettermiddag?",
            "Hvis du er nysgjerrig, svar med et tidspunkt som passer, så ordner jeg resten.",
            "Er du åpen for en kort videosamtale denne eller neste uke?",
            "Er det verdt et kvarter å høre hva teamet bygger?",
        ],
        "closing": [
            "Hvis tidspunktet er feil, vil jeg likevel gjerne høre hva du tenker om {project}.",
            "Helt uforpliktende hvis du trives der du er.",
            "Hvis dette ikke er noe for deg, er et kort nei helt greit.",
            "Uansett, takk for at du delte {project} med oss andre.",
            "Hvis det ikke passer nå, tar jeg gjerne kontakt igjen om noen måneder.",
            "Jeg vet at slike meldinger kommer ofte, så takk for at du leste så langt.",
        ],
        "signoff": ["Hilsen Ingrid", "Takk, Ingrid", "Med vennlig hilsen\nIngrid Solberg", "Beste hilsen\nIngrid"],
    },
    "it": {
        "greeting": ["Ciao {first},", "Buongiorno {first},", "Gentile {first},", "Ciao {first}!", "Buonasera {first},", "Salve {first} {last},"],
        "hook": [
            "Ho appena letto {project} e ci ho pensato per tutta la mattina.",
            "{project} è la spiegazione più chiara del problema che ho trovato quest'anno.",
            "Un collega mi ha segnalato {project} e alla fine l'ho letto due volte.",
            "Ho notato {project} sul tuo profilo e volevo chiedertene direttamente.",
            "{project} è il motivo per cui scrivo proprio a te.",
            "Seguo {project} da un po' e il modo in cui hai gestito i compromessi mi ha colpito.",
        ],
        "context": [
            "Come {title} in {company} hai chiaramente passato anni a far reggere {skill} sotto carico reale.",
            "Poche persone uniscono una conoscenza profonda di {skill} alla sensibilità di prodotto che mostri in {company}.",
            "I tuoi anni in {company} fanno pensare che tu sappia cosa serve per gestire {skill} in produzione, non solo nelle demo.",
            "Essere chi tiene in piedi {skill} in {company} insegna molto su tutto ciò che può andare storto.",
            "Dal tuo percorso in {company} capisco che {skill} è molto più di una parola chiave sul profilo.",
            "Mi ha colpito come il tuo lavoro da {title} colleghi {skill} a risultati che contano per il business.",
        ],
        "role": [
            "Fjordpay sta assumendo un Senior Data Engineer per il team piattaforma pagamenti a Milano.",
            "In Fjordpay cerchiamo un Senior Data Engineer da inserire nel team piattaforma pagamenti qui a Milano.",
            "Seguo le assunzioni del team piattaforma pagamenti di Fjordpay e abbiamo una posizione aperta da Senior Data Engineer.",
            "Al team piattaforma pagamenti di Fjordpay a Milano serve ancora un Senior Data Engineer, e ho pensato subito a te.",
            "Stiamo facendo crescere il team piattaforma pagamenti di Fjordpay e cerchiamo un Senior Data Engineer che l'abbia già fatto.",
            "Il mio team in Fjordpay apre una posizione da Senior Data Engineer sulla piattaforma pagamenti, con sede a Milano.",
        ],
        "work": [
            "Il lavoro consiste nel ripensare come i dati di regolamento passano dai circuiti delle carte al libro contabile.",
            "Saresti responsabile delle pipeline in streaming che trasformano gli eventi di pagamento in saldi riconciliati.",
            "Il primo progetto è portare la riconciliazione notturna a un modello in streaming senza perdere una sola transazione.",
            "Gran parte del lavoro sta tra gli eventi di pagamento e i report finanziari che ne dipendono.",
            "Il team sta sostituendo una serie fragile di cron job con pipeline che si possono rieseguire e verificare.",
            "Definiresti i contratti sui dati tra i servizi di pagamento e chiunque ne legga gli eventi.",
        ],
        "why": [
            "La tua esperienza con {skill} è esattamente ciò che manca oggi al team.",
            "Credo che il tuo modo di affrontare {skill} cambierebbe il modo in cui il team progetta tutto questo.",
            "Chi ha vissuto {project} vedrebbe problemi che noi non abbiamo ancora notato.",
            "Saresti la persona più esperta di {skill} nel team, con un'influenza reale sulla direzione.",
            "I problemi somigliano molto a quelli descritti in {project}, solo che qui ci sono di mezzo i soldi.",
            "È il tipo di lavoro in cui un {title} con il tuo percorso fa la differenza.",
        ],
        "team": [
            "Le persone con cui lavoreresti hanno costruito sistemi di pagamento sia in banca sia in startup.",
            "Gli ingegneri del team scelgono i propri strumenti e mettono per iscritto le decisioni perché tutti possano leggerle.",
            "Rivediamo apertamente i progetti degli altri e nessuno rilascia da solo di venerdì.",
            "Metà del team arriva dalla consulenza e voleva costruire qualcosa di proprio nel lungo periodo.",
            "Lavoriamo molto in coppia, facciamo riunioni brevi e proteggiamo due giornate di concentrazione ogni settimana.",
            "Il team lead è un ingegnere che scrive ancora codice e rivede ogni documento di progetto.",
        ],
        "practical": [
            "Il ruolo è ibrido, con due giorni in ufficio, e la fascia di RAL te la indico nella prima chiamata.",
            "Lavoriamo dall'ufficio di Milano il martedì e il giovedì e da remoto il resto della settimana.",
            "Per questo team non ci sono turni di reperibilità e la fascia retributiva è pubblicata nell'annuncio.",
            "Il team è composto da sei ingegneri e una product manager, e il processo di selezione prevede due colloqui.",
            "La retribuzione è competitiva per Milano e siamo flessibili sulla data di inizio.",
            "Puoi lavorare da remoto per gran parte della settimana e copriamo le spese di viaggio quando vieni in sede.",
        ],
        "ask": [
            "Ti andrebbe una breve chiamata la settimana prossima?",
            "Posso mandarti la descrizione del ruolo e fissare una breve chiacchierata se ti interessa?",
            "Ti andrebbe un caffè veloce a Milano un pomeriggio?",
            "Se sei curioso, rispondimi con un orario che ti va bene e mi organizzo io.",
            "Saresti disponibile per una breve videochiamata questa settimana o la prossima?",
            "Varrebbe la pena di un quarto d'ora per sentire cosa sta costruendo il team?",
        ],
        "closing": [
            "Se non è il momento giusto, mi piacerebbe comunque sapere cosa pensi di {project}.",
            "Nessuna pressione se stai bene dove sei.",
            "Se non fa per te, un semplice no va benissimo.",
            "In ogni caso, grazie per aver condiviso {project}.",
            "Se ora non è il momento, ti ricontatto volentieri tra qualche mese.",
            "So che messaggi come questo arrivano spesso, quindi grazie per aver letto fin qui.",
        ],
        "signoff": ["Un saluto, Giulia", "Grazie, Giulia", "Cordiali saluti,\nGiulia Ferrari", "A presto,\nGiulia"],
    },
}
# Paragraphs of a draft, as slots of BANKS.
_PARAGRAPHS = (("greeting",), ("hook", "context"), ("role", "work", "why"), ("team", "practical"), ("ask", "closing"), ("signoff",))

_PEOPLE_PARTS = {
    "en": {
        "first": ["Emma", "Oliver", "Amelia", "Jack", "Isla", "Harry", "Ava", "George", "Mia", "Noah",
                  "Grace", "Leo", "Freya", "Arthur", "Lily", "Oscar", "Sophie", "Charlie", "Ella", "Thomas",
                  "Chloe", "James", "Evie", "William", "Poppy", "Henry", "Ruby", "Alfie", "Daisy", "Samuel"],
        "last": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright"],
        "company": ["Monzo", "Revolut", "Wise", "Deliveroo", "Ocado", "Skyscanner", "Starling Bank", "Checkout.com"],
        "skill": ["Kafka", "Apache Flink", "dbt", "Spark", "Snowflake", "Airflow", "BigQuery"],
        "title": ["data engineer", "staff engineer", "analytics engineer", "platform engineer", "tech lead"],
        "project": [
            "your write-up on replacing nightly batches with change data capture",
            "your talk at Data Council about schema evolution",
            "the open-source connector you maintain for ledger exports",
            "your blog series on exactly-once delivery",
            "your post about cutting warehouse costs in half",
            "the migration story you shared from your last team",
            "your conference talk on late-arriving events",
            "your article on testing data pipelines like application code",
            "the reconciliation tool you wrote about last spring",
            "your thread on backfilling two years of events without downtime",
        ],
    },
    "nb": {
        "first": ["Kari", "Ola", "Ingrid", "Lars", "Sofie", "Erik", "Nora", "Henrik", "Emma", "Jakob",
                  "Sara", "Magnus", "Ida", "Sindre", "Thea", "Eirik", "Maja", "Sander", "Hedda", "Jonas",
                  "Vilde", "Martin", "Ingeborg", "Kristian", "Silje", "Håkon", "Marte", "Øyvind", "Tuva", "Anders"],
        "last": ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Berg"],
        "company": ["Equinor", "Vipps", "DNB", "Schibsted", "Kahoot", "Telenor", "Finn.no", "Oda"],
        "skill": ["Kafka", "Apache Flink", "dbt", "Spark", "Snowflake", "Airflow", "BigQuery"],
        "title": ["dataingeniør", "utvikler", "teknisk leder", "plattformingeniør", "arkitekt"],
        "project": [
            "innlegget ditt om å erstatte nattlige batchjobber med endringsstrømmer",
            "foredraget ditt på JavaZone om skjemaendringer",
            "det åpne kildekodeprosjektet du vedlikeholder for eksport av hovedbokdata",
            "artikkelserien din om levering nøyaktig én gang",
            "innlegget ditt om å halvere kostnadene til datavarehuset",
            "migreringshistorien du delte fra forrige team",
            "konferanseforedraget ditt om hendelser som kommer for sent",
            "artikkelen din om å teste datalinjer som applikasjonskode",
            "avstemmingsverktøyet du skrev om i fjor vår",
            "tråden din om å fylle inn to år med hendelser uten nedetid",
        ],
    },
    "it": {
        "first": ["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Matteo", "Sara", "Alessandro", "Martina", "Davide",
                  "Elena", "Simone", "Valentina", "Federico", "Alessia", "Lorenzo", "Giorgia", "Andrea", "Silvia", "Riccardo",
                  "Paola", "Stefano", "Beatrice", "Tommaso", "Ilaria", "Gabriele", "Camilla", "Nicola", "Roberta", "Pietro"],
        "last": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"],
        "company": ["Satispay", "Nexi", "Scalapay", "Bending Spoons", "Prima Assicurazioni", "Subito", "Moneyfarm", "Docebo"],
        "skill": ["Kafka", "Apache Flink", "dbt", "Spark", "Snowflake", "Airflow", "BigQuery"],
        "title": ["data engineer", "sviluppatore", "tech lead", "platform engineer", "architetto software"],
        "project": [
            "il tuo articolo sulla sostituzione dei batch notturni con il change data capture",
            "il tuo intervento al Codemotion sull'evoluzione degli schemi",
            "il connettore open source che mantieni per l'export del libro contabile",
            "la tua serie di post sulla consegna exactly-once",
            "il tuo post su come dimezzare i costi del data warehouse",
            "la storia della migrazione che hai raccontato del tuo team precedente",
            "il tuo talk sugli eventi che arrivano in ritardo",
            "il tuo articolo sul testare le pipeline di dati come codice applicativo",
            "lo strumento di riconciliazione di cui hai scritto la primavera scorsa",
            "il tuo thread sul ricaricare due anni di eventi senza interruzioni",
        ],
    },
}


def people(lang: str, n: int = 30, seed: int = 0) -> list[Person]:
    """`n` different recipients (distinct first names) for a language, deterministically."""
    parts = _PEOPLE_PARTS[lang]
    rng = random.Random(f"{lang}-{seed}")
    firsts = rng.sample(parts["first"], n) if n <= len(parts["first"]) else [rng.choice(parts["first"]) for _ in range(n)]
    return [
        Person(first, rng.choice(parts["last"]), rng.choice(parts["company"]), rng.choice(parts["skill"]),
               rng.choice(parts["title"]), rng.choice(parts["project"]))
        for first in firsts
    ]


def personalised_draft(lang: str, person: Person, rng: random.Random) -> str:
    """A draft written for this person: one phrasing per slot, drawn from the language's bank."""
    bank = BANKS[lang]
    paragraphs = [" ".join(person.fill(rng.choice(bank[slot])) for slot in slots) for slots in _PARAGRAPHS]
    return "\n\n".join(paragraphs)


def template_copy(lang: str, person: Person, *, edited: bool = False) -> str:
    """The language's mass template filled in for this person, optionally with its light edit."""
    text = TEMPLATES[lang]
    if edited:
        old, new = LIGHT_EDITS[lang]
        assert old in text
        text = text.replace(old, new)
    return person.fill(text)


def copy_fingerprint(lang: str, person: Person, *, edited: bool = False) -> Fingerprint:
    """The fingerprint of the language's template as sent to this person, profile masked."""
    return fingerprint(template_copy(lang, person, edited=edited), person.personal)


def word_count(text: str) -> int:
    return len(text.split())


# --- the corpora are what the brief asks for -------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_corpus_drafts_are_realistic_length(lang: str) -> None:
    rng = random.Random(lang)
    for person in people(lang):
        assert 120 <= word_count(template_copy(lang, person)) <= 250
        assert 120 <= word_count(template_copy(lang, person, edited=True)) <= 250
        assert 120 <= word_count(personalised_draft(lang, person, rng)) <= 250


# --- mask_personal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Hi Kari,\nI saw your talk.", "hi <name>, i saw your talk."),
        ("Hei Kari Nordmann! Jeg så foredraget ditt.", "hei <name>! jeg så foredraget ditt."),
        ("Kjære Øyvind,\ntakk for sist", "kjære <name>, takk for sist"),
        ("Ciao Marco, ho visto il tuo profilo.", "ciao <name>, ho visto il tuo profilo."),
        ("Gentile Dott.ssa Rossi,\nle scrivo", "gentile <name>, le scrivo"),
        ("Dear Mr. Smith: hello", "dear <name>: hello"),
        ("Good morning Ella - quick one", "good morning <name> - quick one"),
        ("Ciao, come stai?", "ciao, come stai?"),  # no name: nothing to mask
        ("Hi there,  how   are\n\nyou", "hi <name>, how are you"),
        ("I said hi Kari, twice", "i said hi kari, twice"),  # not a greeting: not at a line start
    ],
)
def test_mask_personal_masks_greeting_names(text: str, masked: str) -> None:
    assert mask_personal(text) == masked


def test_mask_personal_masks_links_addresses_mentions_and_numbers() -> None:
    text = (
        "See https://jobs.fjordpay.no/123?ref=li or <https://x.io/a|this>, mail anna.berg@fjordpay.no, "
        "ask @lars or <@U0G9QF9C6>: 15 min at 10:30, 2 days."
    )
    assert mask_personal(text) == (
        "see <url> or <url>, mail <email>, ask <mention> or <mention>: <num> min at <num>, <num> days."
    )


def test_mask_personal_masks_given_strings_whole_words_case_insensitively() -> None:
    text = "Anna, your Kafka work at Equinor ASA impressed us. ANN from kafka-land? Equinor asa rocks."
    masked = mask_personal(text, ["Ann", "kafka", "Equinor ASA", "  ", ""])
    # "Ann" does not mask "Anna"; "kafka" masks "Kafka" and the word in "kafka-land".
    assert masked == (
        "anna, your <personal> work at <personal> impressed us. <personal> from <personal>-land? <personal> rocks."
    )


def test_mask_personal_prefers_the_longest_phrase_and_spans_line_breaks() -> None:
    assert mask_personal("Kari Nordmann and\nKari", ["Kari", "Kari Nordmann"]) == "<personal> and <personal>"
    assert mask_personal("Apache  Flink and C++, Finn.no", ["Apache Flink", "C++", "Finn.no"]) == (
        "<personal> and <personal>, <personal>"
    )


def test_mask_personal_never_masks_inside_its_own_placeholders() -> None:
    assert mask_personal("Hi Ola, https://x.io", ["name", "url"]) == "hi <name>, <url>"


# --- fingerprints -----------------------------------------------------------------------------


def test_fingerprint_bytes_round_trip_exactly() -> None:
    fp = copy_fingerprint("en", people("en")[0])
    data = fp.to_bytes()
    assert isinstance(data, bytes) and len(data) == 530
    back = Fingerprint.from_bytes(data)
    assert back == fp
    assert back.to_bytes() == data
    assert back.similarity(fp) == 1.0
    assert Fingerprint.from_bytes(memoryview(bytearray(data))) == fp  # a BLOB may come back as any buffer


def test_fingerprint_is_the_same_in_another_process() -> None:
    # SHA-1 of the shingles and a fixed seed, never Python's per-process salted hash().
    text = "Hi Kari, your Kafka talk was great and I would like to hear more about it"
    code = f"import sys; from rules.similarity import fingerprint; sys.stdout.write(fingerprint({text!r}).to_bytes().hex())"
    outputs = {
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    assert outputs == {fingerprint(text).to_bytes().hex()}


@pytest.mark.parametrize(
    "data",
    [b"", b"\x01", b"\x02" + bytes(600), bytes(530)],
    ids=["empty", "truncated", "other-format", "zeros"],
)
def test_fingerprint_from_bytes_rejects_what_it_did_not_write(data: bytes) -> None:
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(data)


def test_fingerprint_from_bytes_rejects_trailing_garbage() -> None:
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(fingerprint("one two three four five").to_bytes() + b"x")


def test_masked_copies_have_identical_fingerprints() -> None:
    a, b = people("nb")[:2]
    assert copy_fingerprint("nb", a) == copy_fingerprint("nb", b)
    # Without the personal strings the body's company and skill still differ.
    assert fingerprint(template_copy("nb", a)) != fingerprint(template_copy("nb", b))


@pytest.mark.parametrize(
    "text", ["", "   \n\t ", "Hi", "Hi Kari,", "Interested?", "🙂🙂", "Hi Kari, are you open to a chat?"]
)
def test_short_texts_fingerprint_and_never_match(text: str) -> None:
    fp = fingerprint(text, ["Kari"])
    assert fp.too_short
    assert Fingerprint.from_bytes(fp.to_bytes()) == fp
    long_text = TEMPLATES["en"].replace("{company}", "Vipps").replace("{skill}", "Kafka")
    index = TemplateIndex()
    index.add("a", fp, recipient="kari", at=1.0)
    index.add("b", fingerprint(text, ["Ola"]), recipient="ola", at=2.0)
    index.add("long", fingerprint(long_text.format(first="Ola")), recipient="ola", at=3.0)
    assert len(index) == 3
    assert index.query(fp, recipient="per") == []
    assert [m.key for m in index.query(fingerprint(long_text.format(first="Per")), recipient="per")] == ["long"]


def test_min_shingles_boundary() -> None:
    words = "we would love to hear from you about the platform role next week please".split()
    enough = MIN_SHINGLES + 2  # 3-word shingles: n words give n - 2
    assert not fingerprint(" ".join(words[:enough])).too_short
    assert fingerprint(" ".join(words[: enough - 1])).too_short


# --- the index --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mass_template_is_caught_from_the_second_copy(lang: str) -> None:
    index = TemplateIndex()
    for k, person in enumerate(people(lang)):
        fp = copy_fingerprint(lang, person)
        matches = index.query(fp, recipient=person.key)
        assert len(matches) == k, f"copy {k + 1} for {person.key}"
        assert [m.key for m in matches] == [f"d{j}" for j in reversed(range(k))]  # newest first
        assert all(m.similarity >= index.threshold for m in matches)
        assert all(m.recipient != person.key for m in matches)
        index.add(f"d{k}", fp, recipient=person.key, at=1000.0 + k)
    assert len(index) == 30


@pytest.mark.parametrize("lang", LANGUAGES)
def test_name_only_swaps_are_caught_without_personal_strings(lang: str) -> None:
    # The greeting is the only place the name appears: masking it needs no profile.
    text = TEMPLATES[lang].replace("{company}", "Vipps").replace("{skill}", "Kafka")
    index = TemplateIndex()
    for k, person in enumerate(people(lang, n=10)):
        fp = fingerprint(text.format(first=person.first))
        assert len(index.query(fp, recipient=person.key)) == k
        index.add(f"d{k}", fp, recipient=person.key, at=float(k))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_template_with_one_sentence_changed_is_still_caught(lang: str) -> None:
    index = TemplateIndex()
    recipients = people(lang)
    for k, person in enumerate(recipients[:5]):
        index.add(f"d{k}", copy_fingerprint(lang, person), recipient=person.key, at=float(k))
    edited_for = recipients[5]
    matches = index.query(copy_fingerprint(lang, edited_for, edited=True), recipient=edited_for.key)
    assert [m.key for m in matches] == ["d4", "d3", "d2", "d1", "d0"]
    assert all(index.threshold <= m.similarity < 1.0 for m in matches)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_different_personalised_drafts_are_not_flagged(lang: str) -> None:
    rng = random.Random(f"drafts-{lang}")
    index = TemplateIndex()
    for k, person in enumerate(people(lang)):
        fp = fingerprint(personalised_draft(lang, person, rng), person.personal)
        matches = index.query(fp, recipient=person.key)
        assert matches == [], f"draft {k} for {person.key} flagged against {matches}"
        index.add(f"d{k}", fp, recipient=person.key, at=float(k))
    assert len(index) == 30


@pytest.mark.parametrize("lang", LANGUAGES)
def test_personalised_drafts_are_not_flagged_against_the_mass_template(lang: str) -> None:
    index = TemplateIndex()
    for k, person in enumerate(people(lang, seed=1)):
        index.add(f"t{k}", copy_fingerprint(lang, person), recipient=person.key, at=float(k))
    rng = random.Random(lang)
    for person in people(lang, seed=2):
        fp = fingerprint(personalised_draft(lang, person, rng), person.personal)
        assert index.query(fp, recipient=person.key) == []


def test_templates_in_different_languages_do_not_match_each_other() -> None:
    person = people("en")[0]
    index = TemplateIndex()
    index.add("en", copy_fingerprint("en", person), recipient="a", at=1.0)
    index.add("nb", copy_fingerprint("nb", person), recipient="b", at=2.0)
    assert index.query(copy_fingerprint("it", person), recipient="c") == []


def _template_index(n: int = 4) -> tuple[TemplateIndex, list[Person]]:
    """English template copies d0..d{n-1} at times 100, 200, ...; one more person to query for."""
    index = TemplateIndex()
    recipients = people("en", n=n + 1)
    for k, person in enumerate(recipients[:n]):
        index.add(f"d{k}", copy_fingerprint("en", person), recipient=person.key, at=100.0 * (k + 1))
    return index, recipients


def _keys(index: TemplateIndex, person: Person, **kwargs: object) -> list[str]:
    return [m.key for m in index.query(copy_fingerprint("en", person), **kwargs)]


def test_same_recipient_again_is_not_a_template_hit() -> None:
    index, recipients = _template_index()
    assert _keys(index, recipients[2], recipient=recipients[2].key) == ["d3", "d1", "d0"]
    # Only an earlier draft to the same person: a follow-up, not a template.
    alone = TemplateIndex()
    person = recipients[0]
    alone.add("first", copy_fingerprint("en", person), recipient=person.key, at=1.0)
    assert _keys(alone, person, recipient=person.key) == []


def test_unknown_recipient_counts_as_different() -> None:
    index, recipients = _template_index()
    assert _keys(index, recipients[0], recipient=None) == ["d3", "d2", "d1", "d0"]
    index.add("anon", copy_fingerprint("en", recipients[4]), recipient=None, at=1000.0)
    assert _keys(index, recipients[0], recipient=recipients[0].key) == ["anon", "d3", "d2", "d1"]
    assert index.query(copy_fingerprint("en", recipients[0]), recipient="x")[0].recipient is None


def test_since_keeps_only_recent_drafts() -> None:
    index, recipients = _template_index()
    person = recipients[4]
    assert _keys(index, person, recipient=person.key, since=200.0) == ["d3", "d2", "d1"]
    assert _keys(index, person, recipient=person.key, since=400.0) == ["d3"]
    assert _keys(index, person, recipient=person.key, since=401.0) == []


def test_exclude_key_leaves_the_draft_itself_out() -> None:
    index, recipients = _template_index()
    person = recipients[4]
    assert _keys(index, person, recipient=person.key, exclude_key="d3") == ["d2", "d1", "d0"]
    assert _keys(index, person, recipient=person.key, exclude_key="unknown") == ["d3", "d2", "d1", "d0"]


def test_remove_forgets_a_draft() -> None:
    index, recipients = _template_index()
    person = recipients[4]
    index.remove("d1")
    index.remove("never-added")
    assert len(index) == 3 and "d1" not in index and "d0" in index
    assert _keys(index, person, recipient=person.key) == ["d3", "d2", "d0"]
    for key in ("d0", "d2", "d3"):
        index.remove(key)
    assert len(index) == 0
    assert _keys(index, person, recipient=person.key) == []
    # Rows freed by removals are reused by later drafts.
    index.add("again", copy_fingerprint("en", recipients[0]), recipient=recipients[0].key, at=5.0)
    assert _keys(index, person, recipient=person.key) == ["again"]


def test_adding_a_key_again_replaces_it() -> None:
    index, recipients = _template_index()
    person = recipients[4]
    # d2 re-reviewed: now a personalised draft, no longer a copy.
    rewritten = fingerprint(personalised_draft("en", recipients[2], random.Random(1)), recipients[2].personal)
    index.add("d2", rewritten, recipient=recipients[2].key, at=900.0)
    assert len(index) == 4
    assert _keys(index, person, recipient=person.key) == ["d3", "d1", "d0"]
    # Back to a copy, re-reviewed later: it moves to the front.
    index.add("d2", copy_fingerprint("en", recipients[2]), recipient=recipients[2].key, at=950.0)
    matches = index.query(copy_fingerprint("en", person), recipient=person.key)
    assert [(m.key, m.at) for m in matches] == [("d2", 950.0), ("d3", 400.0), ("d1", 200.0), ("d0", 100.0)]
    # Replaced by a draft too short to index: out of the matches, still counted.
    index.add("d2", fingerprint("Hi Ola"), recipient="x", at=999.0)
    assert _keys(index, person, recipient=person.key) == ["d3", "d1", "d0"]
    assert len(index) == 4 and "d2" in index


def test_rebuilt_from_stored_bytes_answers_the_same() -> None:
    index, recipients = _template_index(n=6)
    rows = [
        (f"d{k}", copy_fingerprint("en", person).to_bytes(), person.key, 100.0 * (k + 1))
        for k, person in enumerate(recipients[:6])
    ]
    rebuilt = TemplateIndex()
    for key, blob, recipient, at in rows:
        rebuilt.add(key, Fingerprint.from_bytes(blob), recipient=recipient, at=at)
    fp = copy_fingerprint("en", recipients[6])
    assert len(index.query(fp, recipient=recipients[6].key)) == 6
    assert index.query(fp, recipient=recipients[6].key) == rebuilt.query(fp, recipient=recipients[6].key)


def test_match_fields() -> None:
    first, second = people("en", n=2)
    stored = copy_fingerprint("en", first)
    index = TemplateIndex()
    index.add("d0", stored, recipient=first.key, at=100.0)
    new = copy_fingerprint("en", second)
    # This pair's titles differ and one ("data engineer") also occurs in the template's own
    # text, so the copies are near, not exact: the similarity is the estimate, not a constant.
    assert (first.title, second.title) == ("tech lead", "data engineer")
    assert index.query(new, recipient=second.key) == [
        Match(key="d0", recipient=first.key, author=None, at=100.0, similarity=new.similarity(stored))
    ]
    assert index.threshold <= new.similarity(stored) < 1.0


def test_threshold_is_validated_and_applied() -> None:
    with pytest.raises(ValueError):
        TemplateIndex(threshold=0.3)  # different drafts reach 0.4: see the module docstring
    with pytest.raises(ValueError):
        TemplateIndex(threshold=1.5)
    strict = TemplateIndex(threshold=1.0)
    text = TEMPLATES["it"].replace("{company}", "Nexi").replace("{skill}", "Kafka")
    strict.add("a", fingerprint(text.format(first="Marco")), recipient="marco", at=1.0)
    assert [m.key for m in strict.query(fingerprint(text.format(first="Sara")), recipient="sara")] == ["a"]
    old, new = LIGHT_EDITS["it"]
    assert strict.query(fingerprint(text.replace(old, new).format(first="Sara")), recipient="sara") == []


def test_concurrent_adds_and_queries_are_consistent() -> None:
    lang = "nb"
    recipients = people(lang)
    fps = [copy_fingerprint(lang, p) for p in recipients]
    index = TemplateIndex()
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for k in range(offset, len(fps), 3):
                index.add(f"d{k}", fps[k], recipient=recipients[k].key, at=float(k))
                index.query(fps[k], recipient=recipients[k].key)
                index.add(f"tmp{k}", fps[k], recipient="tmp", at=0.0)
                index.remove(f"tmp{k}")
        except BaseException as exc:  # a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(index) == 30
    assert len(index.query(fps[0], recipient="someone else")) == 30
