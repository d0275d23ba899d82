"""The bundled API dialects pass the dialect conformance kit, and each
answers errors in its own format."""

import json
import types
import unittest

from oslo_config import cfg

from nimbus.core import loading
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
