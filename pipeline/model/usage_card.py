"""MODEL_CARD.md: instructions for use of the whole ranking system, built from measurements.

Inputs: the evidence model's sidecar (held-out figures), the evaluations recorded with that model
(``trajectory evaluate --record``), the rubrics in ``rubrics/`` and the metamorphic guarantees
below (each names the test that proves it). Output: Markdown. ``tests/test_usage_card.py`` fails
when a section is missing or a figure differs from a fresh evaluation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.model.card import evaluation_records
from pipeline.records import ACCOMPLISHMENT_FLAGS, PILLARS
from pipeline.score.rubric import load_rubric

SECTIONS: tuple[str, ...] = (
    "Intended purpose",
    "Out of scope",
    "What the evidence means",
    "Accuracy",
    "Guarantees the tests prove",
    "Rubrics in use",
    "Known limits",
    "Reviewing and overriding a rank",
)

#: (guarantee, the test in tests/test_metamorphic.py that proves it).
GUARANTEES: tuple[tuple[str, str], ...] = (
    ("Adding up to 15 years of earlier roles without evidence moves a score by at most 5 points.",
     "test_metamorphic_up_to_15_years_of_earlier_evidence_free_roles_move_score_at_most_5"),
    ("Swapping gendered words (women's ↔ men's) moves a score by at most 2 points and the "
     "evidence sub-scores not at all.",
     "test_metamorphic_swapping_womens_and_mens_moves_score_at_most_2_and_evidence_not_at_all"),
    ("Affinity-group memberships move a score by at most 2 points.",
     "test_metamorphic_affinity_group_memberships_move_score_at_most_2"),
    ("Moving the graduation year by up to 20 years moves a score by at most 2 points.",
     "test_metamorphic_graduation_year_plus_minus_20_moves_score_at_most_2"),
    ("Inserting a two-year career gap moves a score by at most 2 points.",
     "test_metamorphic_inserting_a_two_year_career_gap_moves_score_at_most_2"),
    ("Appending any number of services to a skills section raises a score by at most 3 points.",
     "test_metamorphic_appending_any_number_of_services_to_skills_raises_score_at_most_3"),
    ("Repeating a bullet ten times raises a score by at most 2 points.",
     "test_metamorphic_repeating_a_bullet_ten_times_raises_score_at_most_2"),
    ("Removing a quantified result never raises the outcome sub-score.",
     "test_metamorphic_removing_a_quantified_result_never_raises_outcome"),
    ("Adding a velocity, proactive or outcome bullet in a weighted pillar never lowers a score.",
     "test_metamorphic_adding_an_accomplishment_in_a_weighed_pillar_never_lowers_the_score"),
    ("Section order, bullet characters, blank lines and line endings change nothing.",
     "test_metamorphic_section_order_bullets_blank_lines_and_line_endings_change_nothing"),
    ("The same batch in any file order gives the same scores and ranks.",
     "test_metamorphic_same_batch_in_any_file_order_gives_same_scores_and_ranks"),
)

_INTENDED = """\
trajectory ranks candidates for cloud-architecture roles by the evidence in their resumes
(what they drove, initiated and delivered), to help a recruiter decide **whom to read first**.
The output is a ranked shortlist in which every rank is explained: the quoted sentences, their
flags and confidences, the features of the career trajectory and the must-haves not shown.
A human reads the resumes and makes every decision."""

_OUT_OF_SCOPE = """\
- Automatic rejection, or any decision about a person without a human reading the resume.
- Roles the rubrics do not describe; resumes in languages other than English.
- Inferring anything about a person beyond the resume text: the system never reads
  demographics (only `trajectory audit bias` does, to audit a shortlist).
- Comparing scores across rubrics or rubric versions: a score is relative to its rubric."""

_DEFINITIONS = f"""\
Each resume sentence is judged on its own (docs/evidence-labelling-guide.md is the full
definition):

- **velocity**: the candidate *drove* a significant technical change (led, migrated, shipped,
  re-architected) or the sentence states pace or fast growth of scope.
- **proactive**: the candidate *initiated* something beyond the mandate or acted ahead of a
  problem (a proof of concept nobody asked for, a risk spotted and fixed).
- **outcome**: a concrete result (a metric that changed, an audit passed, a capability enabled);
  an intention is not an outcome.
- **listing**: a mere enumeration of tools, services, skills or duties. A listing never counts as
  an accomplishment; a skills section is always a listing.

Only {", ".join(ACCOMPLISHMENT_FLAGS)} earn evidence points. Pillars: {", ".join(PILLARS)}."""

_LIMITS = """\
- The evidence classifier is trained on sentences written for this project in the style of
  real resumes; on real resume sentences (the external gold set below) it is markedly less
  accurate than on its own held-out split. Treat any single flag as a hint, not a fact.
- A result written in another bullet than the action, or hidden behind "we", is not attributed.
- Resume layouts the parser does not recognise lose their roles' dates, which lowers the
  confidence and the trajectory features; the confidence column shows it.
- The trajectory formulas (growth, promotion pace, recency) are designed, not fitted to hiring
  outcomes.
- Scores measure what a resume says, not what a person can do; a modest writer is under-rated."""

_REVIEW = """\
1. Read the shortlist from the top, but read the quoted evidence, not only the score: a rank is
   only as good as the sentences behind it. Low `confidence` (little evidence or undated roles)
   means the score is unreliable either way.
2. `trajectory explain CANDIDATE_ID --rubric RUBRIC` shows every point: the timeline, each
   feature and its contribution, each sentence with its flags, and the missing must-haves. The
   explanation is stored with the score, with the rubric and model versions, so it can be
   shown again later.
3. Override freely: move a candidate up or down and write down why. The tool's rank is a
   reading order, never a verdict; nobody is rejected because of it.
4. Check `SHORTLIST.quarantine.csv`: those candidates were not ranked at all and must be read
   by hand.
5. Audit each shortlist with `trajectory audit bias` before relying on it, and report a rubric
   or a sentence that was judged wrongly so the corpus and rubrics can be corrected."""


def _figures(title: str, evaluation: dict[str, Any]) -> list[str]:
    lines = [f"**{title}** (n = {evaluation['n']}): macro-F1 over the four flags "
             f"{evaluation['macro_f1_flags']:.3f}, over velocity/proactive/outcome "
             f"{evaluation['macro_f1_accomplishment']:.3f}, micro-F1 over the pillars "
             f"{evaluation['micro_f1_pillars']:.3f}.", "",
             "| label | precision | recall | F1 |", "|---|---|---|---|"]
    for label, s in evaluation["labels"].items():
        lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    return [*lines, ""]


def render_usage_card(model: Path, rubrics: Path) -> str:
    """The instructions for use as Markdown, from the model at ``model`` and ``rubrics/``."""
    sidecar = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
    out = ["# trajectory: model card and instructions for use", "",
           f"Generated by `trajectory card` (trajectory {__version__}, evidence model "
           f"{sidecar['version']} `{sidecar['sha256'][:12]}`); do not edit by hand.", ""]
    out += ["## Intended purpose", "", _INTENDED, ""]
    out += ["## Out of scope", "", _OUT_OF_SCOPE, ""]
    out += ["## What the evidence means", "", _DEFINITIONS, ""]
    out += ["## Accuracy", "", "Measured with `trajectory evaluate`; a label counts at "
            "probability ≥ 0.5. Details per label: `models/evidence-classifier.md`.", ""]
    out += _figures("Held-out split of the project's corpus, learned model",
                    sidecar["heldout"]["model"])
    out += _figures("Same split, rule-based extractor alone", sidecar["heldout"]["rules"])
    for record in evaluation_records(model.parent, sidecar["sha256"]):
        for key, name in (("model", "learned model"), ("rules", "rules alone")):
            if key in record:
                out += _figures(f"External gold set `{record['gold']}`, {name}", record[key])
    out += ["## Guarantees the tests prove", "",
            "Each holds on resumes the tests build by editing the sample profiles, and each "
            "test was shown to fail when the scorer is broken in that way.", ""]
    out += [f"- {text} (`{test}`)" for text, test in GUARANTEES]
    out += ["", "## Rubrics in use", "", "| rubric | version | title | tenure: max points, "
            "saturates at | must-haves |", "|---|---|---|---|---|"]
    for path in sorted(rubrics.glob("*.yaml")):
        r = load_rubric(path)
        musts = "; ".join(m.description for m in r.must_haves)
        out.append(f"| `{r.name}` | {r.version} | {r.title} | {r.tenure.max_points:g}, "
                   f"{r.tenure.saturation_years:g} years | {musts} |")
    out += ["", "## Known limits", "", _LIMITS, ""]
    out += ["## Reviewing and overriding a rank", "", _REVIEW, ""]
    return "\n".join(out)
