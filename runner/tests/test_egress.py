"""egress.py: what the audit hook lets an app connect to."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import egress  # noqa: E402


class EgressPolicy(unittest.TestCase):
    def test_the_database_uri_is_allowed_only_where_the_rendered_egress_says(self):
        names, networks, patterns = egress.egress_policy({
            "BERTH_EGRESS": "*.databases.svc,10.0.0.0/8:5432",
            "MONGODB_URI": "mongodb://user:p%40ss@mongo.databases.svc:27018,[::1]:9/db?tls=true",
            "OTHER_URI": "mongodb://evil.example.com/db",
        })
        self.assertEqual(names, {"mongo.databases.svc": {27018}})
        self.assertEqual([(str(n), p) for n, p in networks], [("10.0.0.0/8", 5432)])
        self.assertEqual(patterns, [(".databases.svc", None)])

    def test_a_local_run_allows_the_database_it_was_given(self):
        names, _, _ = egress.egress_policy({"MONGODB_URI": "mongodb://127.0.0.1/app"})
        self.assertEqual(names, {"127.0.0.1": {27017}})
        srv, _, _ = egress.egress_policy({"MONGODB_URI": "mongodb+srv://u:p@cluster0.example.net/app"})
        self.assertEqual(srv, {"cluster0.example.net": None, "_mongodb._tcp.cluster0.example.net": None})

    def test_nothing_is_allowed_without_a_database_or_an_egress(self):
        self.assertEqual(egress.egress_policy({"PATH": "/usr/bin"}), ({}, [], []))


if __name__ == "__main__":
    unittest.main()
