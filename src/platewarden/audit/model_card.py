"""Regenerate the algorithm disclosure (docs/model-card.md) from the shipped models and the evaluation harness.

Every figure in the card is computed here, from the models in the package and the labelled sets under
``../shared/data`` (evaluation only: never trained on), so that the card cannot drift from what ships.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platewarden.domain.plates import Region
from platewarden.evaluation.accuracy import AccuracyReport, evaluate, evaluate_labels
from platewarden.evaluation.conditions import evaluate_conditions
from platewarden.evaluation.labels import LabelledPlate, ccpd_split
from platewarden.evaluation.styles import StyleResult, evaluate_styles
from platewarden.recognition.appearance import YELLOW_BODY_SHARE
from platewarden.recognition.calibration import DetectorCalibration, detector_calibration
from platewarden.recognition.decoding import MIN_CHAR_PROB
from platewarden.recognition.detector import REFINE_WINDOW
from platewarden.recognition.formats import plate_formats
from platewarden.recognition.jurisdictions import HINT_LEAK, SUBDIVISION_FOCUS, parse_hint
from platewarden.recognition.models import model_info
from platewarden.recognition.pipeline import (
    DOUBTFUL_TWO_ROW_MAX_ASPECT,
    TWO_ROW_MAX_ASPECT,
    TWO_ROW_RETRY_BELOW,
    WIDE_MARGIN_X,
    WIDE_MARGIN_Y,
    WIDE_RETRY_BELOW,
    Recognizer,
    RecognizerConfig,
)
from platewarden.recognition.reading import FORMAT_WEIGHT, REGION_SURE


def _row(r: AccuracyReport) -> str:
    s = r.summary()
    det = f"{s['detection_recall']:.1%}" if s["detection_recall"] is not None else "—"
    return (f"| {Path(s['dataset']).name if '/' in s['dataset'] else s['dataset']} | {s['mode']} | {s['region']} | "
            f"{s['plates']} | "
            f"{det} | **{s['exact']:.1%}** | {s['exact_o0_merged']:.1%} | {s['within_alternatives']:.1%} | "
            f"{s['cer']:.1%} | {s['latency_median_ms']} / {s['latency_p95_ms']} |")


# (folder under the data directory, OCR only, the region a deployment there would give)
EVALUATION_SETS = (("openalpr-bench/us", False, "us"), ("openalpr-bench/eu", False, "eu"), ("openalpr-ocr", True, "us"))


def build_model_card(data: Path | None, conditions_per_cell: int = 60) -> str:
    info = model_info()
    rec = Recognizer()
    reports: list[AccuracyReport] = []
    if data is not None and data.is_dir():
        for sub, ocr_only, region in EVALUATION_SETS:
            if (data / sub).is_dir():
                for hint in (region, "auto"):
                    reports.append(evaluate(data / sub, Recognizer(hint=parse_hint(hint)), ocr_only=ocr_only))
        if (data / "train" / "ccpd-crops" / "labels.tsv").exists():
            heldout = ccpd_split(data / "train" / "ccpd-crops")[1]
            for hint in ("cn", "auto"):
                reports.append(evaluate_labels("ccpd-crops (held-out fifth)", heldout,
                                               Recognizer(hint=parse_hint(hint)), ocr_only=True))
        oi_val = openimages_validation(data / "train")
        if oi_val:
            reports.append(evaluate_labels("openimages (own validation photos)", oi_val, rec))
            reports.append(evaluate_labels("openimages (own validation photos)", oi_val, rec, ocr_only=True))
    conds = evaluate_conditions(rec, conditions_per_cell)
    return render(info, reports, conds, evaluate_styles(rec))


def openimages_validation(train: Path, labels: Path = Path("training/labels/openimages.tsv")) -> list[LabelledPlate]:
    """Our own Open Images validation photos (every fifth photo; never trained on), their legible plates labelled
    with their country or US state as the group."""
    if not labels.exists() or not train.is_dir():
        return []
    with open(labels, newline="") as f:
        return [LabelledPlate(train / r["source"], (int(r["x"]), int(r["y"]), int(r["w"]), int(r["h"])),
                              r["text"], r["group"])
                for r in csv.DictReader(f, delimiter="\t") if r["split"] == "val" and r["status"] == "ok"]


def _lineage(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The earlier runs a streamed checkpoint was continued from, newest first."""
    chain = []
    while isinstance(record.get("continued_from"), dict):
        record = record["continued_from"]
        chain.append(record)
    return chain


def training_log(name: str, record: dict[str, Any]) -> str:
    """Where the log of the run that made a streamed checkpoint is kept: ``NAME-stream.log`` for a first run,
    ``NAME-finetune.log`` for a fine-tune of it, ``NAME-finetune2.log`` for the next (``training.export`` copies
    each there, so no run's log overwrites another's)."""
    depth = len(_lineage(record))
    suffix = "stream" if depth == 0 else "finetune" if depth == 1 else f"finetune{depth}"
    return f"training/logs/{name}-{suffix}.log"


def _trained_by(model: dict[str, Any], name: str) -> str:
    """Which training script made the shipped weights, from the record ``training.export`` keeps."""
    chosen = model.get("selected_checkpoint", {})
    if "samples_seen" in chosen:
        how = ("Fine-tuned from the previously shipped weights (BatchNorm frozen)"
               if chosen.get("init") or chosen.get("frozen_batchnorm") else "Trained")
        before = sum(step.get("samples_seen", 0) for step in _lineage(chosen))
        earlier = f", after {before:,} samples of earlier training" if before else ""
        log = training_log(name, chosen)
        return (f"{how} by `training/{name}/stream_train.py` (width {chosen.get('width', 1.0):g}, "
                f"{chosen['samples_seen']:,} samples, step {chosen.get('step', '?')}{earlier}; log `{log}`).")
    return f"Trained by `training/{name}/train.py`."


def _rates(groups: list[tuple[str, dict[str, float]]]) -> str:
    return ", ".join(f"{g.upper()} {v['exact']:.0%}" for g, v in groups)


def _by_group(reports: list[AccuracyReport], per_row: int = 3, judge_from: int = 10) -> list[str]:
    """Exact rate by label group (the US state on openalpr-ocr): whom the misreads fall on. Plate designs differ by
    state, and so does accuracy; a driver from a state we read badly is likelier to be misidentified. Groups with at
    least ``judge_from`` plates come first, weakest first, each with its 95 % interval; smaller ones follow."""
    lines: list[str] = []
    seen: set[str] = set()
    for r in reports:
        groups = r.by_group()
        if not groups or r.dataset in seen:  # one table per set: the first reading of it (region given)
            continue
        seen.add(r.dataset)
        judged = [(g, v) for g, v in groups.items() if v["plates"] >= judge_from]
        small = [(g, v) for g, v in groups.items() if v["plates"] < judge_from]
        k = min(3, len(judged) // 2)
        if k:
            named = f"the weakest are {_rates(judged[:k])} and the strongest {_rates(judged[::-1][:k])}"
        else:
            named = "too few groups are large enough to name the weakest and the strongest"
        lines += ["", f"### Accuracy by origin: {Path(r.dataset).name} ({r.mode}, region {r.hint})", "",
                  "Exact reads per label group (on openalpr-ocr the group is the plate's US state or district; on "
                  "our Open Images photos the country, or us-XX for a US plate whose state shows), "
                  f"with a 95 % Wilson interval. Of the {len(groups)} groups, {len(judged)} have at least "
                  f"{judge_from} plates; among them {named}. Even there the intervals are wide: a group's rate is "
                  "a hint, not a verdict. Plate designs differ by state (pictures behind the characters, emblems "
                  "between them, stacked county codes), and a misread falls on the drivers of the places we read "
                  "worst: an alert on such a plate deserves the closer look.", "",
                  "| " + " | ".join(["group | plates | exact (95 % interval)"] * per_row) + " |",
                  "|" + "---|" * (3 * per_row)]
        cells = [f"{g.upper()} | {v['plates']:.0f} | {v['exact']:.0%} ({v['low']:.0%}–{v['high']:.0%})"
                 for g, v in judged + small]
        for i in range(0, len(cells), per_row):
            row = cells[i: i + per_row] + [" | | "] * (per_row - len(cells[i: i + per_row]))
            lines.append("| " + " | ".join(row) + " |")
        if small:
            lines += ["", f"Groups with fewer than {judge_from} plates (from {small[0][0].upper()} on in the table) "
                          "are too small to judge."]
    return lines


def _cut_sensitivity(reports: list[AccuracyReport]) -> str:
    parts = [f"{Path(r.dataset).name} {r.right_only_from_labelled_box} and {r.right_only_from_detected_box}"
             for r in reports if r.mode == "end-to-end"]
    if not parts:
        return ""
    return ("Of the plates the detector found, read again from their labelled box (not available in use), the number "
            "read right only from the labelled box and only from the detector's: " + "; ".join(parts) + ".")


def _detection_rule(cal: DetectorCalibration, record: dict[str, Any]) -> str:
    judged = ""
    if "val_exact_reads" in record:
        judged = (f" to maximise {record.get('criterion', 'exact reads')}: "
                  f"{record['val_exact_reads']:.1%} of {record.get('val_transcribed_plates', '?')} transcribed plates "
                  f"read exactly, {record.get('val_false_positives_per_image', '?')} false plates per image on "
                  f"{record.get('val_scenes', '?')} validation scenes (table: `{record.get('table', 'its log')}`)")
    chosen = (f"chosen by `training/detector/calibrate.py`{judged or ' on our own validation split'}. Policy "
              "`recognition.detection_threshold` overrides the threshold; overlapping boxes (IoU > 0.4) keep the "
              "stronger one.")
    if cal.refine_plate_width is None or cal.candidate_threshold is None:
        return f"1. Detection: heat-map peaks (3 x 3 local maxima) with score ≥ {cal.threshold}, the threshold {chosen}"
    return (f"1. Detection, in two passes: the photo is scanned {cal.input_width} px wide, and every heat-map peak "
            f"(3 x 3 local maximum) scoring ≥ {cal.candidate_threshold} gets a second look: a "
            f"{REFINE_WINDOW[0]} x {REFINE_WINDOW[1]} px window around it, scaled so that the candidate plate is "
            f"{cal.refine_plate_width} px wide, the middle of the plate sizes the detector was trained on. The "
            "strongest peak near the window's centre gives the box and corners; the candidate keeps the better of "
            f"its two scores and is a plate at ≥ {cal.threshold}. Width, plate width and both thresholds were "
            f"{chosen} The second look exists because the score and the box are weak at the ends of the trained "
            "size range: small plates in a street photo scanned whole came out too wide, with the frame around "
            "them, and close-ups too large to be found.")


def _calibration_text(record: dict[str, Any] | None) -> str:
    """What the confidence means, from the calibration record ``training/ocr/calibrate_confidence.py`` stores."""
    if not record:
        return ("the reading's posterior, not yet calibrated (no calibration record in models.json): treat it as a "
                "ranking, not a probability.")
    compared = ", ".join(f"{m} {v:.3f}" for m, v in record.get("cross_validated_ece", {}).items())
    return (f"the reading's posterior mapped through a monotone calibration ({record.get('method', 'isotonic')}, "
            f"the best of {compared or 'the maps tried'} by cross-validated expected calibration error) fitted on "
            f"{record['n']} readings of our own validation crops ({record['sets']}), so that a confidence means "
            f"the probability that the whole text is exactly right. Expected calibration error on those crops "
            f"{record['ece_before']:.3f} for the raw posterior and {record['ece_after']:.3f} calibrated (10 bins, "
            f"5-fold cross-validated; reliability diagram: [{Path(record['figure']).name}]"
            f"({Path(record['figure']).name})). Being monotone, it never lets an alternative's confidence exceed "
            "the reading's; the alerts' `min_read_confidence` compares against it.")


def render(info: dict[str, Any], reports: list[AccuracyReport], conds: list[Any],
           styles: list[StyleResult] | None = None) -> str:
    ocr, det = info.get("ocr", {}), info.get("detector", {})
    td = info.get("training_data", {})
    cfg = RecognizerConfig()
    cal = detector_calibration()
    table = plate_formats()
    n_states = sum(c.startswith("us-") for c in table.jurisdictions)
    n_eu = len(table.regions.get(Region.EU, ()))
    look_text = "; ".join(f"{kind.replace('_', ' ')}: " + ", ".join(f"{r.value} {w:.0%}" for r, w in shares.items())
                          for kind, shares in table.look_priors.items())
    calibration_text = _calibration_text(ocr.get("confidence_calibration"))
    lines = [
        "# Model card: platewarden plate detector and OCR",
        "",
        f"Generated by `platewarden report model-card` on {datetime.now(UTC):%Y-%m-%d}. Every figure below is "
        "computed by that command from the shipped models; do not edit by hand.",
        "",
        "## What the models are",
        "",
        f"- **Detector** (`detector.onnx`, {det.get('bytes', 0) / 1e6:.1f} MB, {det.get('parameters', 0):,} "
        "parameters): a small fully convolutional CenterNet-style network (depthwise-separable backbone, feature "
        "pyramid to stride 4) that predicts a plate-centre heat map, the plate's size and the offsets of its four "
        f"corners. Images are resized to fit {cfg.input_width or cal.input_width} px wide (the width "
        f"chosen with the threshold on our validation split). {_trained_by(det, 'detector')}",
        f"- **OCR** (`ocr.onnx`, {ocr.get('bytes', 0) / 1e6:.1f} MB, {ocr.get('parameters', 0):,} parameters): a CRNN "
        "(6 convolutions, a bidirectional GRU, CTC) reading a 48 x 160 grayscale plate over 36 Latin characters and "
        f"31 Chinese province characters. {_trained_by(ocr, 'ocr')}",
        f"- ONNX export checked against torch: max |difference| detector {det.get('onnx_vs_torch_max_abs_diff', 'n/a')}"
        f", OCR {ocr.get('onnx_vs_torch_max_abs_diff', 'n/a')}. Run with ONNX Runtime on the CPU; no torch at run "
        "time.",
        "",
        "## Training data",
        "",
    ]
    for item in td.get("sources", []):
        lines.append(f"- {item}")
    if not td:
        lines.append("- (training data summary missing from models.json: re-export with `python -m training.export`)")
    lines += [
        "",
        "The OpenALPR benchmark sets (`openalpr-bench`, `openalpr-ocr`, AGPL-3.0) are used **only for evaluation** "
        "below; no model, threshold or rule was fitted to them. The CCPD crops' held-out fifth (every fifth line of "
        "`labels.tsv`) is never trained on.",
        "",
        "## Decision logic",
        "",
        _detection_rule(cal, det.get("calibration", {})),
        "2. Rectification: when the predicted corners form a plausible convex quadrilateral (area 0.4–1.3 x the box), "
        "the plate is warped to a rectangle with a 5 % / 8 % margin; otherwise the box is cut with that margin.",
        f"3. Two rows: a plate squarer than {TWO_ROW_MAX_ASPECT}:1 whose body is yellow (at least "
        f"{YELLOW_BODY_SHARE:.0%}: China's two-row plates are its large vehicles' yellow ones, British rear plates) "
        "or that shows an EU strip, or one squarer than "
        f"{DOUBTFUL_TWO_ROW_MAX_ASPECT}:1 whose one-row posterior (rule 5) is below {TWO_ROW_RETRY_BELOW}, is also "
        "read with its two rows laid side by side (cut at the row of least edge energy in the middle band). Both "
        "cuts then feed one posterior (rule 5), averaged: a cut whose image explains no plate of any format weighs "
        "little. A plate whose one-row posterior is below "
        f"{WIDE_RETRY_BELOW} is also read from a wider cut ({WIDE_MARGIN_X:.0%} / {WIDE_MARGIN_Y:.0%} margins): a "
        "detector box that clips the first or last character is the commonest end-to-end error, and the network "
        "cannot read what the cut leaves out. All of a plate's cuts feed the one posterior. When and how wide were "
        "chosen end to end on our own validation photos (`training/ocr/tune_wide_cut.py`, table in "
        "`training/logs/wide-cut-tuning.log`: 153 of 205 plates exact against 148 without it; reading every plate "
        "twice gains nothing more).",
        "4. OCR: the plate is resized to 48 x 160 grayscale with area interpolation, the same resize training used; "
        "the network gives, for each of its 40 frames, a probability for the blank and each character.",
        "5. Reading under plate formats. The table `recognition/formats/plate_formats.yaml` lists "
        f"{len(table.jurisdictions)} jurisdictions ({n_states} US states and DC, {n_eu} European countries, Brazil, "
        "China), each with its serial templates as per-position character classes, a prior weight per template and "
        "the public reference it comes from; personalised (vanity) plates are a template of their own with a small "
        "prior. Candidates are the network's own best path and its runner-up swaps, and for every template the "
        "best CTC path that emits one of the template's allowed characters at each position (a character may be "
        f"emitted only at a frame where the network gives it at least {MIN_CHAR_PROB:g}: a template restricts, it "
        "never invents). Each candidate s is scored P(s | image) x prior(s)^λ, with P(s | image) the exact CTC "
        "probability (summed over alignments) and prior(s) the sum, over jurisdictions j and the templates t that s "
        f"fits, of P(j | hint, look) x P(t | j), plus an off-format weight ({table.off_format_weight:g}) that keeps "
        "every text possible (a plate of a country the table lacks, a show plate). Within a country, states weigh "
        "by their share of registered vehicles (the table cites its source), so California's distinctive serial is "
        f"not drowned by the templates fifty states share. λ = {FORMAT_WEIGHT:g} tempers the "
        "prior as a language-model weight does in speech recognition; it and the off-format weight were chosen on "
        "our own validation crops (`training/ocr/tune_decoder.py`, table in `training/logs/decoder-tuning.log`: "
        "every setting tried lies within 1.5 points), never on the evaluation sets. Normalised over the candidates "
        "and the probability the network leaves to other texts, this is the reading's posterior; the best text is the "
        "reading, the next ones its alternatives. Per character, the confidence is the posterior share of the "
        "candidates that agree with it there.",
        "6. Where a plate comes from is part of the same posterior: P(j | hint, look) is, with `--region auto`, a "
        "mixture over regions by the plate's look (" + look_text + "), each region's countries equal and a "
        "country's states by their share of vehicles; with a hint "
        f"(a region, a country or a state, from `--region`, the policy's `recognition.jurisdictions` or the "
        f"camera's own setting) the hint takes {1 - HINT_LEAK:.0%} (a named state {SUBDIVISION_FOCUS:.0%} of its "
        "country's part) and the look the rest. The reading's region is the one holding most of its posterior, "
        f"stated only where it holds at least {REGION_SURE:.0%} (otherwise unknown: a hotlist match is then shown as "
        "\"region not verified\"); the jurisdiction and template contributing most are reported with it "
        "(`recognize --json`: `jurisdiction`, `format`, `region_share`). The EU strip is a blue band of mostly blue "
        "columns in the crop's left quarter (3–15 % of its width, starting within its first 15 % but not at its "
        "edge, not blue right after it nor in the plate's middle; `training/ocr/check_strip.py` measures it); "
        "Chinese colours are a blue, yellow or green body.",
        "7. Confidence: " + calibration_text + " Readings shorter than "
        f"{cfg.min_plate_length} characters, or whose confidence x √(detector score) is below {cfg.min_confidence}, "
        "are dropped (never stored).",
        "8. Alerts (not part of the model, but where its errors land): a hotlist match needs the policy's agreement "
        "across frames, tolerates look-alike characters (O/0/D/Q, I/1, B/8, S/5, Z/2) at a bounded cost, and is "
        "never acted on before a person compares the crop with the hotlist record.",
        "",
        "## Measured accuracy",
        "",
        "Exact = upper case, letters and digits only, O and 0 distinct (comparable with papers). Because the "
        "OpenALPR labels themselves mix O and 0 in places, the O/0-merged rate is shown beside it. Latency is per "
        "photo end to end (per plate for OCR-only), single thread, on the 2-core development machine.",
        "",
        "Each set is read twice: with the region a deployment there would give (`--region`, as OpenALPR's `-c`) "
        "and with `auto`. The Open Images rows are our own validation photos (never trained on, but their "
        "siblings were: a hint of what a hidden set of street photos gives, not an evaluation set).",
        "",
        "| set | mode | region | plates | detection recall | exact | exact, O=0 | in alternatives | CER | latency "
        "median / p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_row(r) for r in reports] or ["| (no evaluation data found) | | | | | | | | | |"]
    lines += ["", "Commonest confusions (truth → read):", ""]
    for r in reports:
        s = r.summary()
        lines.append(f"- {Path(s['dataset']).name} ({s['region']}): "
                     + (", ".join(f"{a}→{b} x{n}" for a, b, n in s["confusions"]) or "none"))
    lines += ["", "Region each plate was read with (\"none\": no reading; \"unknown\": the posterior split between "
              "regions, rule 6), and the jurisdictions and templates that contributed most to the readings "
              "(\"off-format\": none fits; \"several\": no single jurisdiction holds half the reading's format "
              "mass, as when a text fits the serial format of several countries). Every plate of the us and "
              "openalpr-ocr sets is American, every plate of "
              "the eu set European:", ""]
    for r in reports:
        s = r.summary()
        lines.append(f"- {Path(s['dataset']).name} ({s['region']}): regions "
                     + ", ".join(f"{g} {n}" for g, n in s["regions"].items()) + "; jurisdictions "
                     + ", ".join(f"{g} {n}" for g, n in s["jurisdictions"].items()) + "; templates "
                     + ", ".join(f"`{g}` {n}" for g, n in s["formats"].items()))
    lines += _by_group(reports)
    lines += ["", "### Per condition (rendered plates, fixed seeds)", "",
              "The real sets are too small to split by condition; these rows use plates rendered by "
              "`platewarden.synthetic` with one controlled degradation each, read through the OCR path. They show "
              "how accuracy moves with a condition and are not a substitute for the real-set figures. The plates are "
              "drawn by the generator of this version with fixed seeds: when the generator changes (new styles, "
              "pictures behind the characters), the plates change too, so compare rows within one card, not "
              "across versions. They are also drawn with the training generator's letter odds, which flatters "
              "look-alike pairs (I/1, O/0) against the real sets.", ""]
    regions = sorted({c.region for c in conds})
    lines.append("| condition | " + " | ".join(regions) + " |")
    lines.append("|---|" + "---|" * len(regions))
    for cond in dict.fromkeys(c.condition for c in conds):
        cells = {c.region: c for c in conds if c.condition == cond}
        lines.append(f"| {cond} | " + " | ".join(f"{cells[r].exact:.0%} (n={cells[r].plates})" for r in regions)
                     + " |")
    if styles:
        lines += ["", "### Per plate style (rendered plates, fixed seed)", "",
                  f"Each style's plates ({styles[0].plates} each, seed 5), read through the OCR path as above with no "
                  "degradation: the layouts the reader claims, two-row ones included, which none of the real sets "
                  "shows enough of. The same caveats apply: the reader learnt from this generator, so these are upper "
                  "bounds; a weak row here is weak on real plates too. (`python -m training.ocr.check_styles`.)", "",
                  "| style | exact |", "|---|---|"]
        lines += [f"| {r.style} | {r.exact}/{r.plates} ({r.exact / r.plates:.0%}) |" for r in styles]
    lines += ["", "## Known failure modes", "",
              "- Plates of styles, fonts or regions absent from training (see the generalisation gap in "
              "`../shared/RESEARCH.md`): expect lower accuracy than the tables show.",
              "- State logos, stacked small characters and slogans can be read as characters; the look-alike pairs "
              "O/0/D, I/1, B/8 and S/5 dominate the confusions above.",
              "- Small, distant plates (under ~16 px of character height) and strong motion blur.",
              "- Region and country are guesses from format and look; a plate whose format fits several countries "
              "gets no country.",
              "- The detector can fire on text that is not a plate (badges, signs); the alert rules and the human "
              "confirmation are the safeguard.",
              "- The OCR is sensitive to how the plate is cut: a crop a few pixels wider or narrower can change a "
              f"character, add one at the edge or drop one. {_cut_sensitivity(reports)} Consecutive frames of one "
              "vehicle, fused by the platform, are the remedy in use.",
              "", "Reproduce: `platewarden report model-card --data ../shared/data --out docs/model-card.md`.", ""]
    return "\n".join(lines)
