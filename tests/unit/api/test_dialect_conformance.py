"""The bundled API dialects pass the dialect conformance kit, and each
answers errors in its own format."""

import json
import types
import unittest

from oslo_config import cfg

from nimbus.core import exception, loading
from nimbus.core.testing.api_dialect import APIDialectConformanceTests


class _Bundled(APIDialectConformanceTests):
    name = None

    def make_dialect(self):
        services = types.SimpleNamespace(compute=None, admin=None)
        return loading.load_driver(loading.API_DIALECTS, self.name,
                                   cfg.ConfigOpts(), services)

    def check_challenge(self, response, status, challenge):
        if status == 401:
            self.assertEqual(challenge,
                             response.headers["WWW-Authenticate"])


class TestOpenStackDialect(_Bundled, unittest.TestCase):
    name = "openstack"

    def check_error_body(self, response, status, message):
        super().check_error_body(response, status, message)
        [(_name, fault)] = json.loads(response.text).items()
        self.assertEqual(status, fault["code"])
        if message is not None:
            self.assertEqual(message, fault["message"])
        self.check_challenge(
            response, status,
            'Keystone uri="http://nimbus.example:8774/identity"')


class TestIdentityDialect(_Bundled, unittest.TestCase):
    name = "identity"

    def check_error_body(self, response, status, message):
        super().check_error_body(response, status, message)
        error = json.loads(response.text)["error"]
        self.assertEqual(status, error["code"])
        self.assertTrue(error["title"])
        if message is not None:
            self.assertEqual(message, error["message"])
        self.check_challenge(
            response, status,
            'Keystone uri="http://nimbus.example:8774/identity"')


class TestImageDialect(_Bundled, unittest.TestCase):
    name = "image"

    def check_error_body(self, response, status, message):
        super().check_error_body(response, status, message)
        self.assertEqual("text/plain", response.content_type)
        self.assertTrue(response.text.startswith(f"{status} "))
        if message is not None:
            self.assertEqual(f"{status} {message}", response.text)
        self.check_challenge(
            response, status,
            'Keystone uri="http://nimbus.example:8774/identity"')


class TestNetworkDialect(_Bundled, unittest.TestCase):
    name = "network"

    def check_error_body(self, response, status, message):
        super().check_error_body(response, status, message)
        error = json.loads(response.text)["NeutronError"]
        self.assertEqual({"type", "message", "detail"}, set(error))
        self.assertTrue(error["type"])
        if message is not None:
            self.assertEqual(message, error["message"])
        self.check_challenge(
            response, status,
            'Keystone uri="http://nimbus.example:8774/identity"')

    def test_error_types_are_neutrons(self):
        for error, kind in (
                (exception.OverQuota(resources="network", requested=1,
                                     used=1, allowed=1), "OverQuota"),
                (exception.FloatingIpNotFound(floatingip_id="x"),
                 "FloatingIPNotFound"),
                (exception.ValidationError(field="cidr", reason="bad"),
                 "HTTPBadRequest"),
                (exception.NetworkNotFound(network_id="x"),
                 "NetworkNotFound")):
            with self.subTest(kind=kind):
                response = self.dialect.error_response(self.make_request(),
                                                       error)
                self.assertEqual(error.code, response.status_int)
                self.assertEqual(kind, json.loads(response.text)[
                    "NeutronError"]["type"])

    def test_server_errors_say_nothing_of_their_type(self):
        response = self.dialect.error_response(self.make_request(),
                                               KeyError("secret"))
        self.assertEqual("HTTPInternalServerError",
                         json.loads(response.text)["NeutronError"]["type"])


class TestEC2Dialect(_Bundled, unittest.TestCase):
    name = "ec2"

    def check_error_body(self, response, status, message):
        from xml.etree import ElementTree as ET
        super().check_error_body(response, status, message)
        self.assertEqual("text/xml", response.content_type)
        root = ET.fromstring(response.body)
        self.assertEqual("Response", root.tag)
        self.assertTrue(root.find("Errors/Error/Code").text)
        self.assertTrue(root.find("RequestID").text)
        if message is not None:
            self.assertEqual(message, root.find("Errors/Error/Message").text)
        if status >= 500 and message is None:
            self.assertEqual("InternalError",
                             root.find("Errors/Error/Code").text)
