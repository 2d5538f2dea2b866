"""The `lookup_lab_reference` tool: its lab data, its units, and its answers. Plain Python, no gRPC —
lab_reference_worker.py serves it.

The tool gives the adult reference range of a common blood test (HbA1c, fasting glucose,
potassium, sodium, creatinine, BUN, TSH, free T4, LDL, HDL, triglycerides, total cholesterol,
hemoglobin, ALT, AST, ferritin, 25-OH vitamin D, uric acid), what low and high values suggest, and,
given a value, whether it is low, normal, high or critical, with its guideline category. The data is
data/lab-references/labs.json (each entry names its source); a file with problems is refused with
every problem named.

    tool = LabReferenceTool(LabReference("data/lab-references/labs.json"))
    output, scores = tool.execute({"test": "potassium", "value": 6.8})   # or raises InvalidArguments / UnknownLabTest
"""
import difflib
import json
import math
import pathlib
import re
import unicodedata

TOOL_NAME = "lookup_lab_reference"


class LabDataError(Exception):
    """The data file cannot be used; the message names every problem."""


class InvalidArguments(Exception):
    """Arguments the tool cannot take: `violations` is [(field, description), …]."""

    def __init__(self, violations, message=None):
        super().__init__(message or "; ".join(f"{field}: {description}" for field, description in violations))
        self.violations = violations


class UnknownLabTest(Exception):
    """No test has this name; the message lists the known ones (and the nearest, if any)."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


# ------------------------------------------------------------------------------ reference data


def normalize_name(text):
    """'HbA1c' → 'hba1c', 'K+' → 'k', '25(OH)D' → '25ohd': case, spaces and punctuation do not matter."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^a-z0-9]", "", text)


def normalize_unit(text):
    """'µmol/L', 'μmol/l' and 'umol/L' are one unit; so are 'mcg/L' and 'µg/L'."""
    text = unicodedata.normalize("NFKC", text).lower().replace("μ", "u").replace("µ", "u")
    return re.sub(r"\s+", "", text).replace("mcg", "ug")


LOWER_BOUNDS = ("min", "above")
UPPER_BOUNDS = ("max", "below")


def below_lower_bound(x, bounds):
    return ("min" in bounds and x < bounds["min"]) or ("above" in bounds and x <= bounds["above"])


def above_upper_bound(x, bounds):
    return ("max" in bounds and x > bounds["max"]) or ("below" in bounds and x >= bounds["below"])


def within(x, bounds):
    return not below_lower_bound(x, bounds) and not above_upper_bound(x, bounds)


class UnitSpec:
    """One unit a test is reported in, and how to convert it to the test's reference unit."""

    def __init__(self, unit, multiply=1.0, add=0.0, decimals=0, infer=True, is_reference=False):
        self.unit = unit
        self.multiply = multiply
        self.add = add
        self.decimals = decimals
        self.infer = infer
        self.is_reference = is_reference

    def to_reference(self, value):
        return value * self.multiply + self.add

    def from_reference(self, value):
        return (value - self.add) / self.multiply


def format_number(value, decimals):
    return f"{value:.{decimals}f}"


class LabTest:
    """One test of the reference data, with its lookups and its interpretation of a value."""

    SEXES = ("female", "male")

    def __init__(self, entry):
        self.entry = entry
        self.id = entry["id"]
        self.name = entry["name"]
        self.decimals = entry["decimals"]
        self.reference_unit = UnitSpec(entry["unit"], decimals=entry["decimals"], is_reference=True)
        self.units = {normalize_unit(alias): self.reference_unit for alias in [entry["unit"], *entry.get("unit_aliases", [])]}
        self.alternates = []
        for alternate in entry.get("alternate_units", []):
            spec = UnitSpec(alternate["unit"], alternate["multiply"], alternate.get("add", 0.0), alternate["decimals"], alternate.get("infer", True))
            self.alternates.append(spec)
            for alias in [alternate["unit"], *alternate.get("aliases", [])]:
                self.units[normalize_unit(alias)] = spec
        reference = entry["reference"]
        self.sex_specific = "female" in reference
        self.critical = entry.get("critical")

    @property
    def unit_names(self):
        """The units to name in an error: the reference unit and those converted to it."""
        return [self.reference_unit.unit] + [spec.unit for spec in self.alternates]

    def reference_for(self, sex):
        reference = self.entry["reference"]
        return reference[sex] if self.sex_specific else reference

    # -- text

    def bounds_text(self, bounds, spec=None):
        """'3.6–5.2 mmol/L', '≥ 40 mg/dL', '< 100 mg/dL' — in the reference unit, or converted to `spec`."""
        if spec is None and "text" in bounds:
            return bounds["text"]
        spec = spec or self.reference_unit
        show = lambda x: format_number(spec.from_reference(x), spec.decimals)  # noqa: E731
        lower = ("≥", bounds["min"]) if "min" in bounds else ((">", bounds["above"]) if "above" in bounds else None)
        upper = ("≤", bounds["max"]) if "max" in bounds else (("<", bounds["below"]) if "below" in bounds else None)
        if lower and upper:
            if lower[0] == "≥" and upper[0] == "≤":
                return f"{show(lower[1])}–{show(upper[1])} {spec.unit}"
            if lower[0] == "≥":
                return f"{show(lower[1])} to {upper[0]} {show(upper[1])} {spec.unit}"
            return f"{lower[0]} {show(lower[1])} and {upper[0]} {show(upper[1])} {spec.unit}"
        sign, x = lower or upper
        return f"{sign} {show(x)} {spec.unit}"

    def range_text(self, spec=None):
        if not self.sex_specific:
            return self.bounds_text(self.entry["reference"], spec)
        return "; ".join(f"{sex} {self.bounds_text(self.entry['reference'][sex], spec)}" for sex in self.SEXES)

    def critical_text(self, side=None):
        """'< 2.5 or > 6.5 mmol/L', or one side of it ('> 6.5 mmol/L')."""
        signs = {"below": "<", "max": "≤", "above": ">", "min": "≥"}
        parts = [f"{signs[bound]} {format_number(limit, self.decimals)}"
                 for which in ("low", "high") if side in (None, which)
                 for bound, limit in self.critical.get(which, {}).items()]
        return f"{' or '.join(parts)} {self.reference_unit.unit}"

    # -- interpretation

    def critical_side(self, x):
        if not self.critical:
            return None
        low, high = self.critical.get("low", {}), self.critical.get("high", {})
        if ("below" in low and x < low["below"]) or ("max" in low and x <= low["max"]):
            return "low"
        if ("above" in high and x > high["above"]) or ("min" in high and x >= high["min"]):
            return "high"
        return None

    def classify(self, x, sex):
        """(interpretation, flag) of a value in the reference unit, against one sex's range (or the only one)."""
        critical = self.critical_side(x)
        if critical:
            return "critical", "LL" if critical == "low" else "HH"
        bounds = self.reference_for(sex)
        if below_lower_bound(x, bounds):
            return "low", "L"
        if above_upper_bound(x, bounds):
            return "high", "H"
        return "normal", "N"

    def category(self, x):
        for category in self.entry.get("categories", []):
            if within(x, category):
                return category["label"]
        return None


class LabReference:
    """The reference data file, checked when it is loaded: a bad file stops the worker, naming every problem."""

    def __init__(self, path):
        try:
            data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise LabDataError(f"cannot read the lab reference data {path}: {error.strerror or error}") from error
        except ValueError as error:
            raise LabDataError(f"the lab reference data {path} is not valid JSON: {error}") from error
        problems = validate_reference_data(data)
        if problems:
            raise LabDataError(f"the lab reference data {path} has problems:\n  " + "\n  ".join(problems))
        self.version = data["version"]
        self.population = data.get("population", "adults")
        self.tests = [LabTest(entry) for entry in data["tests"]]
        self.by_key = {}
        for test in self.tests:
            for name in [test.id, test.name, *test.entry["aliases"]]:
                self.by_key[normalize_name(name)] = test

    def find(self, query):
        return self.by_key.get(normalize_name(query))

    def nearest(self, query, limit=3):
        """Tests whose name or alias looks like `query` (abbreviations of 3 letters or fewer only match exactly)."""
        key = normalize_name(query)
        if len(key) < 4:
            return []
        candidates = [name for name in self.by_key if len(name) >= 4]
        found = []
        for name in difflib.get_close_matches(key, candidates, n=10, cutoff=0.75):
            test = self.by_key[name]
            if test not in found:
                found.append(test)
        return found[:limit]


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_bounds(bounds, where, problems, allow_text=True):
    if not isinstance(bounds, dict):
        problems.append(f"{where} must be an object")
        return
    allowed = {"min", "max", "below", "above", "label", "text"} if allow_text else {"min", "max", "below", "above", "label"}
    for key, value in bounds.items():
        if key not in allowed:
            problems.append(f"{where}.{key} is not a bound (use min, max, below, above)")
        elif key not in ("label", "text") and not _is_number(value):
            problems.append(f"{where}.{key} must be a number")
    if not any(key in bounds for key in (*LOWER_BOUNDS, *UPPER_BOUNDS)):
        problems.append(f"{where} has no bound")
    if "min" in bounds and "above" in bounds or "max" in bounds and "below" in bounds:
        problems.append(f"{where} has two lower or two upper bounds")


def validate_reference_data(data):
    """Every problem of the data file, as 'tests[3].reference.male.min must be a number' lines."""
    problems = []
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list) or not data["tests"]:
        return ["the file must be an object with a non-empty tests list"]
    if not isinstance(data.get("version"), str):
        problems.append("version must be a string")
    seen_names = {}
    seen_ids = set()
    for index, entry in enumerate(data["tests"]):
        at = f"tests[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{at} must be an object")
            continue
        at = f"tests[{index}] ({entry.get('id', '?')})"
        for key in ("id", "name", "unit", "specimen", "low_suggests", "high_suggests", "source"):
            if not isinstance(entry.get(key), str) or not entry.get(key).strip():
                problems.append(f"{at}.{key} must be a non-empty string")
        if entry.get("id") in seen_ids:
            problems.append(f"{at}.id is used twice")
        seen_ids.add(entry.get("id"))
        if not isinstance(entry.get("decimals"), int) or isinstance(entry.get("decimals"), bool):
            problems.append(f"{at}.decimals must be an integer")
        aliases = entry.get("aliases")
        if not isinstance(aliases, list) or not aliases or not all(isinstance(a, str) and normalize_name(a) for a in aliases):
            problems.append(f"{at}.aliases must be a non-empty list of names")
            aliases = []
        for name in {normalize_name(n) for n in [*aliases, str(entry.get("id", "")), str(entry.get("name", ""))] if normalize_name(n)}:
            if name in seen_names and seen_names[name] != entry.get("id"):
                problems.append(f"{at}: the name \"{name}\" also names {seen_names[name]}")
            seen_names[name] = entry.get("id")
        unit_keys = {}
        for alias in [entry.get("unit", ""), *entry.get("unit_aliases", [])]:
            unit_keys[normalize_unit(str(alias))] = "reference"
        for a_index, alternate in enumerate(entry.get("alternate_units", [])):
            where = f"{at}.alternate_units[{a_index}]"
            if not isinstance(alternate.get("unit"), str) or not _is_number(alternate.get("multiply")) or alternate.get("multiply") <= 0:
                problems.append(f"{where} needs a unit and a positive multiply")
                continue
            if "add" in alternate and not _is_number(alternate["add"]):
                problems.append(f"{where}.add must be a number")
            if not isinstance(alternate.get("decimals"), int):
                problems.append(f"{where}.decimals must be an integer")
            for alias in [alternate["unit"], *alternate.get("aliases", [])]:
                key = normalize_unit(alias)
                if unit_keys.get(key, alternate["unit"]) != alternate["unit"]:
                    problems.append(f"{where}: unit \"{alias}\" is already another unit of this test")
                unit_keys[key] = alternate["unit"]
        reference = entry.get("reference")
        if isinstance(reference, dict) and ("female" in reference or "male" in reference):
            for sex in LabTest.SEXES:
                _check_bounds(reference.get(sex), f"{at}.reference.{sex}", problems, allow_text=False)
        else:
            _check_bounds(reference, f"{at}.reference", problems)
        critical = entry.get("critical")
        if critical is not None:
            low, high = critical.get("low", {}), critical.get("high", {})
            if not (set(low) <= {"below", "max"} and set(high) <= {"above", "min"} and all(_is_number(v) for v in [*low.values(), *high.values()])):
                problems.append(f"{at}.critical: low takes below or max, high takes above or min, all numbers")
            if not isinstance(critical.get("source"), str):
                problems.append(f"{at}.critical.source must say where the limits come from")
        for c_index, category in enumerate(entry.get("categories", [])):
            _check_bounds(category, f"{at}.categories[{c_index}]", problems)
            if not isinstance(category.get("label"), str):
                problems.append(f"{at}.categories[{c_index}].label must be a string")
        for key in ("plausible", "typical"):
            pair = entry.get(key)
            if key == "plausible" and pair is None:
                problems.append(f"{at}.plausible must be [lowest, highest] in the test's unit")
            elif pair is not None and not (isinstance(pair, list) and len(pair) == 2 and all(_is_number(x) for x in pair) and pair[0] < pair[1]):
                problems.append(f"{at}.{key} must be [lowest, highest] in the test's unit")
        if not isinstance(entry.get("notes", []), list):
            problems.append(f"{at}.notes must be a list")
    return problems


# ------------------------------------------------------------------------------------------ the tool

ARGUMENTS = ("test", "value", "unit", "sex")
MAX_TEST_LENGTH = 100
MAX_UNIT_LENGTH = 32


class LabReferenceTool:
    """`lookup_lab_reference`: its name, description and input schema as ListTools offers them, and execute()."""

    name = TOOL_NAME

    def __init__(self, reference):
        self.reference = reference
        names = ", ".join(test.name for test in reference.tests)
        self.description = (
            "Look up the adult reference range of a common blood test and, given a result, interpret it as low, normal, high "
            "or critical, with what low and high values suggest and the guideline category (e.g. prediabetes, borderline-high LDL). "
            f"Tests: {names}. Accepts names and abbreviations (\"a1c\", \"K\", \"TSH\", \"LDL\") and converts SI units "
            "(glucose in mmol/L, creatinine in µmol/L, HbA1c in mmol/mol…). Ranges are for non-pregnant adults, by sex where they differ. "
            "Use it whenever a patient's lab result needs interpreting; give the unit the result was reported in."
        )
        self.input_schema = {
            "type": "object",
            "additionalProperties": False,
            "required": ["test"],
            "properties": {
                "test": {
                    "type": "string", "minLength": 1, "maxLength": MAX_TEST_LENGTH,
                    "description": "The lab test, by name or common abbreviation, case-insensitive, e.g. \"HbA1c\", \"a1c\", \"potassium\", \"K\", \"TSH\", \"LDL\".",
                },
                "value": {
                    "type": "number", "minimum": 0,
                    "description": "The patient's result, in `unit`. Optional: without it the tool returns the reference range only.",
                },
                "unit": {
                    "type": "string", "maxLength": MAX_UNIT_LENGTH,
                    "description": "The unit of `value` as reported, e.g. \"mg/dL\", \"mmol/L\", \"%\", \"µmol/L\". Give it whenever the "
                                   "value could be read in two unit systems (glucose 15 could be mg/dL or mmol/L); the tool asks for it then.",
                },
                "sex": {
                    "type": "string", "enum": ["female", "male"],
                    "description": "The patient's sex, for tests whose ranges differ by sex (creatinine, BUN, HDL, hemoglobin, ALT, AST, "
                                   "ferritin, uric acid). Optional: without it both ranges are used.",
                },
            },
        }

    # -- arguments

    def check_arguments(self, args):
        """Schema violations as (field, description) pairs, all of them, as the Node worker reports ajv's."""
        violations = [(key, "is not an argument of this tool") for key in args if key not in ARGUMENTS]
        test = args.get("test")
        if "test" not in args:
            violations.append(("test", "is required"))
        elif not isinstance(test, str):
            violations.append(("test", "must be a string"))
        elif not test.strip():
            violations.append(("test", "must not be empty"))
        elif len(test) > MAX_TEST_LENGTH:
            violations.append(("test", f"must be at most {MAX_TEST_LENGTH} characters"))
        if "value" in args:
            value = args["value"]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                violations.append(("value", "must be a number"))
            elif not math.isfinite(value):
                violations.append(("value", "must be a finite number"))
            elif value < 0:
                violations.append(("value", "must not be negative"))
        if "unit" in args:
            if not isinstance(args["unit"], str):
                violations.append(("unit", "must be a string"))
            elif len(args["unit"]) > MAX_UNIT_LENGTH:
                violations.append(("unit", f"must be at most {MAX_UNIT_LENGTH} characters"))
        if "sex" in args and (not isinstance(args["sex"], str) or args["sex"].strip().lower() not in LabTest.SEXES):
            violations.append(("sex", 'must be one of "female", "male"'))
        return violations

    def find_test(self, query):
        test = self.reference.find(query)
        if test:
            return test
        nearest = self.reference.nearest(query)
        known = ", ".join(test.name for test in self.reference.tests)
        hint = f"did you mean {' or '.join(t.name for t in nearest)}? " if nearest else ""
        shown = query.strip()[:40]
        raise UnknownLabTest(shown, f'unknown lab test "{shown}" ({hint}known tests: {known})')

    def resolve_unit(self, test, unit_text, value):
        """The unit `value` is in: the one given, else the only one the value is plausible in (see the `unit` argument)."""
        if unit_text:
            spec = test.units.get(normalize_unit(unit_text))
            if spec is None:
                raise InvalidArguments([("unit", f'"{unit_text}" is not a unit of {test.name}; use {" or ".join(test.unit_names)}')])
            return spec, False
        if value is None:
            return test.reference_unit, False
        typical = test.entry.get("typical")
        candidates = [test.reference_unit] + [spec for spec in test.alternates if spec.infer]
        if typical and len(candidates) > 1:
            fits = [spec for spec in candidates if typical[0] <= spec.to_reference(value) <= typical[1]]
            if len(fits) > 1:
                options = " or ".join(spec.unit for spec in fits)
                raise InvalidArguments([("unit", f"is required: {value:g} could be {options} for {test.name}")])
            if len(fits) == 1:
                return fits[0], not fits[0].is_reference
        return test.reference_unit, False

    # -- the call

    def execute(self, args):
        """(output, scores): the result, a JSON object whose keys are in reading order (the test and its
        interpretation first), and online scores in [0, 1] ({"lab_abnormality": …} given a value)."""
        violations = self.check_arguments(args)
        if violations:
            raise InvalidArguments(violations, f"{TOOL_NAME}: " + "; ".join(f"{field} {description}" for field, description in violations))
        test = self.find_test(args["test"])
        value = args.get("value")
        unit_text = (args.get("unit") or "").strip()
        sex = args["sex"].strip().lower() if isinstance(args.get("sex"), str) else None
        spec, inferred = self.resolve_unit(test, unit_text, value)

        output = {"test": test.name}
        scores = {}
        if value is not None:
            x = spec.to_reference(value)
            low, high = test.entry["plausible"]
            if not low <= x <= high:
                raise InvalidArguments([("value", f"{value:g} {spec.unit} is outside what is plausible for {test.name} "
                                                  f"({low:g}–{high:g} {test.reference_unit.unit}); check the value and its unit")])
            output["value"] = value
            output["unit"] = spec.unit
            if inferred:
                output["unit_inferred"] = True
            if not spec.is_reference:
                output["value_in_reference_unit"] = round(x, test.decimals + 1)
            self._interpret(test, x, value, spec, sex, output, scores)
        self._describe(test, spec if value is not None else None, sex, output)
        return output, scores

    def _interpret(self, test, x, value, spec, sex, output, scores):
        shown = f"{value:g} {spec.unit}" + ("" if spec.is_reference else f" ({format_number(x, test.decimals)} {test.reference_unit.unit})")
        sexes = [sex] if (sex and test.sex_specific) else list(LabTest.SEXES) if test.sex_specific else [None]
        results = {s: test.classify(x, s) for s in sexes}
        distinct = set(results.values())
        if len(distinct) == 1:
            interpretation, flag = distinct.pop()
            output["interpretation"] = interpretation
            output["flag"] = flag
            which = f"the {sexes[0]} " if len(sexes) == 1 and sexes[0] else "the "
            output["interpretation_detail"] = self._detail(test, x, shown, interpretation, which, sexes[0] if len(sexes) == 1 else None)
        else:
            interpretation = "depends_on_sex"
            output["interpretation"] = interpretation
            output["interpretation_by_sex"] = {s: results[s][0] for s in sexes}
            parts = [f"{results[s][0]} for a {s} ({test.bounds_text(test.reference_for(s))})" for s in sexes]
            output["interpretation_detail"] = f"{shown} is " + " but ".join(parts) + "; give sex for one interpretation."
        category = test.category(x)
        if category:
            output["category"] = category
        scores["lab_abnormality"] = {"normal": 0.0, "low": 0.5, "high": 0.5, "depends_on_sex": 0.5, "critical": 1.0}[interpretation]

    @staticmethod
    def _detail(test, x, shown, interpretation, which, sex):
        range_text = test.bounds_text(test.reference_for(sex)) if (sex or not test.sex_specific) else test.range_text()
        if interpretation == "critical":
            side = test.critical_side(x)
            return (f"{shown} is {'below' if side == 'low' else 'above'} the critical limit ({test.critical_text(side)}); "
                    f"{which}reference range is {range_text}.")
        if interpretation == "normal":
            return f"{shown} is within {which}reference range ({range_text})."
        side = "below" if interpretation == "low" else "above"
        return f"{shown} is {side} {which}reference range ({range_text})."

    def _describe(self, test, given_spec, sex, output):
        entry = test.entry
        reference = {"text": test.range_text(), "unit": test.reference_unit.unit}
        if test.sex_specific:
            for s in LabTest.SEXES:
                reference[s] = {k: v for k, v in entry["reference"][s].items() if k != "text"}
            if sex:
                reference["applies_to"] = sex
        else:
            reference.update({k: v for k, v in entry["reference"].items() if k != "text"})
        output["reference_range"] = reference
        if given_spec is not None and not given_spec.is_reference:
            output["reference_range_in_given_unit"] = test.range_text(given_spec)
        if test.critical:
            critical = {"text": test.critical_text()}
            critical.update({side: entry["critical"][side] for side in ("low", "high") if side in entry["critical"]})
            critical["source"] = entry["critical"]["source"]
            output["critical_limits"] = critical
        output["low_suggests"] = entry["low_suggests"]
        output["high_suggests"] = entry["high_suggests"]
        if entry.get("categories"):
            output["categories"] = [category["label"] for category in entry["categories"]]
        notes = list(entry.get("notes", []))
        if output.get("unit_inferred"):
            notes.insert(0, f"No unit was given; the value was read as {output['unit']}, the only unit it is plausible in.")
        if notes:
            output["notes"] = notes
        output["specimen"] = entry["specimen"]
        output["population"] = self.reference.population
        output["source"] = entry["source"]
        output["data_version"] = self.reference.version

