"""The tgt target's privileged commands: ``tgtadm`` with checked
arguments (run in the privsep daemon).

Passwords travel as ``tgtadm`` arguments, as tgtadm has no other way to
take them: they are visible to root in the process list for the few
milliseconds the command runs.
"""

import os
import re

from nimbus.core import exception, privileged

_IQN = re.compile(r"^iqn\.\d{4}-\d{2}\.[a-z0-9][a-z0-9.-]*"
                  r"(:[A-Za-z0-9][A-Za-z0-9.:_-]{0,200})?$")
_SECRET = re.compile(r"^[A-Za-z0-9]{12,64}$")


def _invalid(argument, value):
    return exception.PrivilegedArgumentInvalid(argument=argument,
                                               value=repr(value))


def _iqn(value):
    if not isinstance(value, str) or not _IQN.match(value):
        raise _invalid("IQN", value)
    return value


def _secret(value):
    if not isinstance(value, str) or not _SECRET.match(value):
        raise _invalid("CHAP secret", "(hidden)")
    return value


def _tid(value):
    return privileged.integer(value, 1, 1 << 20, "target id")


def _tgtadm(control_port, *args, check=True):
    port = privileged.integer(control_port, 0, 65535, "control port")
    argv = ["tgtadm"] + (["-C", port] if port else []) + \
        ["--lld", "iscsi", *args]
    return privileged.execute(*argv, check_exit_code=[0] if check
                              else False)[0]


@privileged.context.entrypoint
def show_targets(control_port):
    """``tgtadm --op show --mode target`` output."""
    return _tgtadm(control_port, "--op", "show", "--mode", "target")


@privileged.context.entrypoint
def show_accounts(control_port):
    return _tgtadm(control_port, "--op", "show", "--mode", "account")


@privileged.context.entrypoint
def new_target(control_port, tid, iqn, path, address):
    """Target ``tid`` named ``iqn`` with ``path`` as LUN 1, accepting
    initiators from ``address`` (``ALL`` or an IP address)."""
    tid, iqn = _tid(tid), _iqn(iqn)
    if not isinstance(path, str) or not os.path.isabs(path) or \
            not os.path.exists(path):
        raise _invalid("backing store", path)
    if address != "ALL":
        address = privileged.ip_address(address)
    _tgtadm(control_port, "--op", "new", "--mode", "target", "--tid", tid,
            "-T", iqn)
    _tgtadm(control_port, "--op", "new", "--mode", "logicalunit", "--tid",
            tid, "--lun", 1, "--backing-store", path)
    _tgtadm(control_port, "--op", "bind", "--mode", "target", "--tid", tid,
            "--initiator-address", address)


@privileged.context.entrypoint
def bind_account(control_port, tid, user, password):
    """Create the CHAP account ``user`` (if missing) and require it on
    target ``tid``."""
    tid, user = _tid(tid), privileged.token(user, "CHAP user")
    accounts = _tgtadm(control_port, "--op", "show", "--mode", "account")
    if user not in accounts.split():
        _tgtadm(control_port, "--op", "new", "--mode", "account", "--user",
                user, "--password", _secret(password))
    _tgtadm(control_port, "--op", "bind", "--mode", "account", "--tid", tid,
            "--user", user)


@privileged.context.entrypoint
def delete_target(control_port, tid):
    _tgtadm(control_port, "--op", "delete", "--mode", "target", "--tid",
            _tid(tid), "--force")


@privileged.context.entrypoint
def delete_account(control_port, user):
    user = privileged.token(user, "CHAP user")
    accounts = _tgtadm(control_port, "--op", "show", "--mode", "account")
    if user in accounts.split():
        _tgtadm(control_port, "--op", "delete", "--mode", "account",
                "--user", user)
