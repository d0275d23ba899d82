"""The EC2 dialect's wire pieces: Query parameters, XML, ids, states."""

import datetime
import types
import unittest
from xml.etree import ElementTree as ET

from nimbus.api.ec2 import params, xmlout
from nimbus.api.ec2.actions import instance_view
from nimbus.core import exception
from nimbus.core.ec2 import ids


def _params(text):
    return params.Params(params.parse_pairs(text.encode()))


class TestParams(unittest.TestCase):
    def test_lists_and_filters_in_index_order(self):
        p = _params("Action=DescribeInstances&InstanceId.2=i-2&InstanceId.1"
                    "=i-1&Filter.1.Name=instance-state-name&Filter.1.Value.2"
                    "=running&Filter.1.Value.1=pending&Filter.2.Name=tag%3A"
                    "Name&Filter.2.Value.1=x")
        self.assertEqual(["i-1", "i-2"], p.strings("InstanceId"))
        self.assertEqual({"instance-state-name": ["pending", "running"],
                          "tag:Name": ["x"]},
                         params.filters(p, ("instance-state-name", "tag:")))

    def test_unknown_filter_and_bad_shapes(self):
        cases = [("Filter.1.Name=nope&Filter.1.Value.1=x",
                  "InvalidParameterValue"),
                 ("Filter.1.Value.1=x", "MissingParameter"),
                 ("Filter.1.Name=instance-id", "InvalidParameterValue"),
                 ("InstanceId=a&InstanceId.1=b", "InvalidParameterValue"),
                 ("InstanceId.x=a", "InvalidParameterValue")]
        for text, code in cases:
            with self.subTest(text=text):
                with self.assertRaises(exception.Ec2Error) as ctx:
                    p = _params(text)
                    p.strings("InstanceId")
                    params.filters(p, ("instance-id",))
                self.assertEqual(code, ctx.exception.ec2_code)

    def test_scalars(self):
        p = _params("MinCount=3&Flag=true&Bad=x")
        self.assertEqual(3, p.integer("MinCount", minimum=1))
        self.assertTrue(p.boolean("Flag"))
        with self.assertRaises(exception.Ec2Error):
            p.integer("Bad")
        with self.assertRaises(exception.Ec2Error) as ctx:
            p.require("ImageId")
        self.assertEqual("MissingParameter", ctx.exception.ec2_code)

    def test_not_utf8(self):
        with self.assertRaises(exception.Ec2Error):
            params.parse_pairs(b"Action=%ff%fe")

    def test_wildcards_only_star_and_question_mark(self):
        self.assertTrue(params.matches(["web*"], "web-1"))
        self.assertTrue(params.matches(["w?b"], ["x", "wab"]))
        self.assertFalse(params.matches(["[a]"], "a"))


class TestXml(unittest.TestCase):
    def test_response_shape(self):
        body = xmlout.response("DescribeThings", "req-1", {
            "thingSet": [{"id": "a", "on": True, "n": 3, "gone": None}],
            "when": datetime.datetime(2026, 11, 30, 9, 30, 33, 123000)})
        root = ET.fromstring(body)
        ns = "{" + xmlout.NAMESPACE + "}"
        self.assertEqual(ns + "DescribeThingsResponse", root.tag)
        self.assertEqual("req-1", root.find(ns + "requestId").text)
        item = root.find(f"{ns}thingSet/{ns}item")
        self.assertEqual("true", item.find(ns + "on").text)
        self.assertIsNone(item.find(ns + "gone"))
        self.assertEqual("2026-11-30T09:30:33.123Z",
                         root.find(ns + "when").text)

    def test_error_is_well_formed_with_control_characters(self):
        root = ET.fromstring(xmlout.error("X", "bad \x00\x1f <&>", "r"))
        self.assertEqual("X", root.find("Errors/Error/Code").text)
        self.assertIn("<&>", root.find("Errors/Error/Message").text)


class TestIds(unittest.TestCase):
    def test_parse_and_format(self):
        self.assertEqual(("i", 26), ids.parse("i-0000001a", ("i",)))
        self.assertEqual("ami-0000001a", ids.format_id("ami", 26))
        for bad in ("i-xyz", "i-1", "ami-0000001a", "", None, "i-0000001A"):
            self.assertIsNone(ids.parse(bad, ("i",)))


class TestStates(unittest.TestCase):
    def test_aws_codes(self):
        def inst(vm, task=None, deleted=False, launched=True):
            return types.SimpleNamespace(
                vm_state=vm, task_state=task, deleted=deleted,
                launched_at=datetime.datetime.now() if launched else None)
        cases = [(inst("building"), ("pending", 0)),
                 (inst("active"), ("running", 16)),
                 (inst("active", "deleting"), ("shutting-down", 32)),
                 (inst("deleted", deleted=True), ("terminated", 48)),
                 (inst("active", "powering-off"), ("stopping", 64)),
                 (inst("stopped"), ("stopped", 80)),
                 (inst("stopped", "powering-on"), ("pending", 0)),
                 (inst("error", launched=False), ("terminated", 48)),
                 (inst("error"), ("stopped", 80))]
        for instance, expected in cases:
            self.assertEqual(expected, instance_view.state(instance))
