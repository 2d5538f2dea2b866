"""Settings from the environment, read as lib/config.ts reads them for the Node services: blank is
unset, and a yes/no setting refuses any other word (TRACEMESH_REDACT_PHI=enabled must not mean "no")."""
import os

YES_NO = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


class ConfigError(Exception):
    """A bad setting: the program prints its message (which names what to change) and exits."""


def setting(name):
    return os.environ.get(name, "").strip() or None


def yes_no_setting(name, default):
    raw = setting(name)
    if raw is None:
        return default
    if raw.lower() not in YES_NO:
        raise ConfigError(f'{name} must be one of {", ".join(YES_NO)}, got "{raw}"')
    return YES_NO[raw.lower()]


def local_port(name, default):
    """A *_PORT setting as a client reads it; 0 (any free port) names nothing to connect to."""
    value = setting(name) or ""
    return value if value.isdigit() and value != "0" else default
