"""validation.py on CPython against the case table the API's Pyodide tests use too."""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import validation  # noqa: E402

with open(os.path.join(HERE, "cases.json"), encoding="utf-8") as handle:
    CASES = json.load(handle)


def check_case(test, case, problems):
    """Each expected problem appears exactly as listed, and nothing else does."""
    shown = "\n".join(validation.format_problem(p) for p in problems)
    test.assertEqual(len(problems), len(case["expect"]), "%s:\n%s" % (case["name"], shown))
    for problem, expected in zip(problems, case["expect"]):
        for key in ("file", "line", "column", "rule"):
            if key in expected:
                test.assertEqual(problem[key], expected[key], "%s %s:\n%s" % (case["name"], key, shown))
        test.assertIn(expected["contains"], problem["message"], case["name"])


class CaseTable(unittest.TestCase):
    def test_every_case(self):
        for case in CASES:
            with self.subTest(case["name"]):
                problems = validation.validate(case["files"], case.get("entrypoint", "main.py"),
                                               case.get("allowedImports"))
                check_case(self, case, problems)


class Details(unittest.TestCase):
    def test_json_wrapper_round_trips(self):
        payload = json.dumps({"files": {"main.py": "import os\n"}, "entrypoint": "main.py"})
        problems = json.loads(validation.validate_json(payload))
        self.assertEqual([p["rule"] for p in problems], ["entrypoint", "import"])

    def test_message_lists_the_allowed_imports(self):
        [problem] = validation.validate({"main.py": "import os\napp = 1\n"}, "main.py", ["fastapi", "pydantic"])
        self.assertEqual(problem["message"], "import of 'os' is not allowed: read settings with starlette.config.Config "
                         "(config('MONGODB_URI')); serve files with FileResponse or StaticFiles; allowed: fastapi, pydantic")

    def test_deep_nesting_is_a_problem_not_a_crash(self):
        source = "app = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
        [problem] = validation.validate({"main.py": source}, "main.py")
        self.assertEqual(problem["rule"], "syntax")

    def test_null_byte(self):
        [problem] = validation.validate({"main.py": "app = 1\nx = '\x00'\n"}, "main.py")
        self.assertEqual((problem["line"], problem["column"], problem["rule"]), (2, 6, "syntax"))

    def test_paths_agree_with_the_api_rules(self):
        self.assertIsNone(validation.path_problem("static/css/site.css"))
        self.assertIn("hidden", validation.path_problem(".env.txt"))
        self.assertIn("relative", validation.path_problem("/main.py"))
        self.assertIn("levels deep", validation.path_problem("a/b/c/d/e/f/g/h/i.py"))
        self.assertIn("ending in", validation.path_problem("Main.py"))


if __name__ == "__main__":
    unittest.main()
