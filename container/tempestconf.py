#!/usr/bin/env python3
"""python-tempestconf (discover-tempest-config), safe for any password.

python-tempestconf keeps the cloud's credentials in its ConfigParser, whose interpolation refuses a
value with a bare "%" and rewrites "%(name)s": a password is whatever the cloud accepts, so the
interpolation is switched off here. Arguments are discover-tempest-config's.

Images: python-tempestconf downloads CirrOS from the internet when compute.image_ref is not an image
the cloud has. tcup chooses (or uploads) the image itself and passes compute.image_ref/_alt; here
nothing is ever downloaded from the internet, no image is uploaded when none was chosen, and the
chosen image is not copied from Glance into the workspace (only scenario tests read that copy, and a
large image would fill the tmpfs).
"""
import configparser
import sys

from config_tempest import constants, main, tempest_conf
from config_tempest.services import image

# The python-tempestconf internals replaced below. A release that renames one would silently bring back
# what its replacement stops (the internet download above all): importing this module fails instead,
# and the image build imports it (Dockerfile), so such a Tempest image is never made.
REPLACED = (
    (tempest_conf.TempestConf, "__init__"),
    (image.ImageService, "create_tempest_images"),
    (image.ImageService, "_download_file"),
    (image.ImageService, "_download_image"),
)
for _owner, _name in REPLACED:
    if not callable(getattr(_owner, _name, None)):
        raise ImportError("tcup: python-tempestconf has no %s.%s any more: container/tempestconf.py "
                          "must follow it" % (_owner.__name__, _name))

_init = tempest_conf.TempestConf.__init__


def _init_raw(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self._interpolation = configparser.Interpolation()


tempest_conf.TempestConf.__init__ = _init_raw

_create_images = image.ImageService.create_tempest_images


def _create_images_chosen(self, conf, *args, **kwargs):
    # *args/**kwargs: python-tempestconf 3.x passes retry_alt= (2.5 does not).
    if not conf.has_option("compute", "image_ref"):
        constants.LOG.info("tcup: no image chosen (not a compute run): compute.image_ref left unset")
        return
    _create_images(self, conf, *args, **kwargs)


def _no_download(self, url, destination):
    raise RuntimeError("tcup never downloads an image from the internet (python-tempestconf wanted "
                       "%s): pass --image NAME|ID|FILE" % url)


def _no_copy(self, image_id, path):
    constants.LOG.info("tcup: image %s stays in Glance (no local copy)", image_id)


image.ImageService.create_tempest_images = _create_images_chosen
image.ImageService._download_file = _no_download
image.ImageService._download_image = _no_copy

if __name__ == "__main__":
    sys.argv[0] = "discover-tempest-config"
    sys.exit(main.main())
