"""The netfilter entrypoints: iptables/ip6tables chains and rules (one
``iptables-restore`` per change) and the ipset address sets they match.
"""

import re

from nimbus.core import exception, privileged
from nimbus.plugins.networks.linux.privileged import in_namespace, namespace

ctx = privileged.context

# iptables rule words are built by this package from validated values;
# these patterns make sure no line break, shell or option-file syntax can
# slip through even so.
_IPT_WORD = re.compile(r"^[A-Za-z0-9_.:/,=!+-]{1,64}$")
_CHAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,27}$")
_BUILTIN = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}
_TABLES = {"filter", "nat", "mangle", "raw"}
_IPSET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,28}$")


# -- ipset --------------------------------------------------------------------

def _ipset_name(name):
    if not isinstance(name, str) or not _IPSET.match(name):
        raise exception.PrivilegedArgumentInvalid(argument="ipset",
                                                  value=repr(name))
    return name


@ctx.entrypoint
def ipset_ensure(name):
    """Create the IPv4 address set ``name`` (empty) unless it exists."""
    privileged.execute("ipset", "-exist", "create", _ipset_name(name),
                       "hash:ip", "family", "inet")


@ctx.entrypoint
def ipset_replace(name, addresses):
    """Make the set ``name`` hold exactly ``addresses`` (IPv4), in one
    ``ipset restore``: filled aside, then swapped in (atomic)."""
    name = _ipset_name(name)
    aside = _ipset_name(name + "-n")
    lines = [f"create {name} hash:ip family inet -exist",
             f"create {aside} hash:ip family inet -exist",
             f"flush {aside}"]
    lines += [f"add {aside} {privileged.ip_address(a, 4)} -exist"
              for a in addresses]
    lines += [f"swap {aside} {name}", f"destroy {aside}"]
    privileged.execute("ipset", "restore",
                       process_input="\n".join(lines) + "\n")


@ctx.entrypoint
def ipset_destroy(name):
    """Remove the set ``name`` if it exists and no rule refers to it."""
    privileged.execute("ipset", "destroy", _ipset_name(name),
                       check_exit_code=[0, 1])


# -- iptables -----------------------------------------------------------------

def _chain(name):
    if not isinstance(name, str) or not _CHAIN.match(name) \
            or name in _BUILTIN:
        raise exception.PrivilegedArgumentInvalid(argument="chain",
                                                  value=repr(name))
    return name


def _words(rule):
    if not isinstance(rule, (list, tuple)) or not rule:
        raise exception.PrivilegedArgumentInvalid(argument="rule",
                                                  value=repr(rule))
    for word in rule:
        if not isinstance(word, str) or not _IPT_WORD.match(word):
            raise exception.PrivilegedArgumentInvalid(argument="rule word",
                                                      value=repr(word))
    return list(rule)


def _table(table):
    if table not in _TABLES:
        raise exception.PrivilegedArgumentInvalid(argument="table",
                                                  value=repr(table))
    return table


@ctx.entrypoint
def iptables_replace(ns, table, chains, jumps=(), family=4):
    """Make each chain of ``chains`` (``{name: [rule words, ...]}``) hold
    exactly its rules, in one ``iptables-restore --noflush`` (atomic), and
    make sure each jump ``(builtin chain, [match words], chain[, first])``
    is in place: inserted at the top of the built-in chain, or appended
    when ``first`` is False.

    Only chains named here are touched; other chains keep their rules.
    ``family`` 6: the same with ``ip6tables``.
    """
    tool = _tool(family)
    ns = namespace(ns)
    table = _table(table)
    lines = [f"*{table}"]
    checked = {_chain(name): [_words(r) for r in rules]
               for name, rules in chains.items()}
    for name in checked:
        lines.append(f":{name} - [0:0]")
    for name, rules in checked.items():
        for words in rules:
            lines.append(" ".join(["-A", name] + words))
    lines.append("COMMIT")
    privileged.execute(*in_namespace(ns, tool + "-restore", "-w", "--noflush"),
                       process_input="\n".join(lines) + "\n")
    for jump in jumps:
        builtin, match, target = jump[:3]
        first = jump[3] if len(jump) > 3 else True
        if builtin not in _BUILTIN:
            raise exception.PrivilegedArgumentInvalid(argument="chain",
                                                      value=repr(builtin))
        spec = [*(_words(match) if match else []), "-j", _chain(target)]
        if not _iptables_has(ns, table, builtin, spec, tool):
            where = ["-I", builtin, "1"] if first else ["-A", builtin]
            privileged.execute(*in_namespace(ns, tool, "-w", "-t", table,
                                             *where, *spec))


def _tool(family):
    if family not in (4, 6):
        raise exception.PrivilegedArgumentInvalid(argument="family",
                                                  value=repr(family))
    return "iptables" if family == 4 else "ip6tables"


def _iptables_has(ns, table, builtin, spec, tool="iptables"):
    try:
        privileged.execute(*in_namespace(ns, tool, "-w", "-t", table, "-C",
                                         builtin, *spec))
    except exception.PrivilegedCommandFailed:
        return False
    return True


@ctx.entrypoint
def iptables_remove(ns, table, chains, jumps=(), family=4):
    """Remove the ``jumps`` and then the ``chains`` (idempotent)."""
    tool = _tool(family)
    ns = namespace(ns)
    table = _table(table)
    for jump in jumps:
        builtin, match, target = jump[:3]
        if builtin not in _BUILTIN:
            raise exception.PrivilegedArgumentInvalid(argument="chain",
                                                      value=repr(builtin))
        spec = [*(_words(match) if match else []), "-j", _chain(target)]
        while _iptables_has(ns, table, builtin, spec, tool):
            privileged.execute(*in_namespace(ns, tool, "-w", "-t", table,
                                             "-D", builtin, *spec))
    names = [_chain(n) for n in chains]
    for name in names:  # drop references between our chains first
        privileged.execute(*in_namespace(ns, tool, "-w", "-t", table, "-F",
                                         name), check_exit_code=[0, 1])
    for name in names:
        privileged.execute(*in_namespace(ns, tool, "-w", "-t", table, "-X",
                                         name), check_exit_code=[0, 1])


@ctx.entrypoint
def iptables_save(ns, table):
    out, _ = privileged.execute(*in_namespace(namespace(ns), "iptables-save",
                                              "-t", _table(table)))
    return out


@ctx.entrypoint
def iptables_rule_add(ns, table, chain, rule):
    """Append ``rule`` to ``chain`` unless it is there already."""
    ns, table, chain, words = namespace(ns), _table(table), _chain(chain), \
        _words(rule)
    if not _iptables_has(ns, table, chain, words):
        privileged.execute(*in_namespace(ns, "iptables", "-w", "-t", table,
                                         "-A", chain, *words))


@ctx.entrypoint
def iptables_rule_delete(ns, table, chain, rule):
    """Delete ``rule`` from ``chain`` (every copy; idempotent)."""
    ns, table, chain, words = namespace(ns), _table(table), _chain(chain), \
        _words(rule)
    while _iptables_has(ns, table, chain, words):
        privileged.execute(*in_namespace(ns, "iptables", "-w", "-t", table,
                                         "-D", chain, *words))
