#!/usr/bin/env python3
"""python-tempestconf (discover-tempest-config), safe for any password.

python-tempestconf keeps the cloud's credentials in its ConfigParser, whose interpolation refuses a
value with a bare "%" and rewrites "%(name)s": a password is whatever the cloud accepts, so the
interpolation is switched off here. Arguments are discover-tempest-config's.
"""
import configparser
import sys

from config_tempest import main, tempest_conf

_init = tempest_conf.TempestConf.__init__


def _init_raw(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self._interpolation = configparser.Interpolation()


tempest_conf.TempestConf.__init__ = _init_raw

if __name__ == "__main__":
    sys.argv[0] = "discover-tempest-config"
    sys.exit(main.main())
