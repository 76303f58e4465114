"""Cinder volume driver for the test bed: every volume and snapshot is a small file.

Sizes are only recorded (a volume file holds at most what was written into it: an image, or a
64 KiB header), so clones, snapshots and uploads to Glance stay cheap. Connections are of type
'local' (a path), which Nova's fake driver accepts without looking. Nothing needs root; qemu-img
(installed with the packages) converts an upload to the disk format asked for, as Cinder's own
upload path does: Glance 30+ refuses data that does not match the declared format (HTTP 415).
"""
import os
import shutil
import subprocess
import tempfile

from oslo_config import cfg
from oslo_log import log as logging

from cinder.volume import driver

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
HEADER = b"\0" * 65536


class FileVolumeDriver(driver.VolumeDriver):
    VERSION = "1.0.0"
    CI_WIKI_NAME = "testbed"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.backend_name = (self.configuration.safe_get("volume_backend_name") or "files")
        self.root = os.path.join(CONF.state_path, "files")

    def _path(self, name):
        return os.path.join(self.root, name)

    def do_setup(self, context):
        os.makedirs(self.root, exist_ok=True)

    def check_for_setup_error(self):
        pass

    def local_path(self, volume):
        return self._path(volume.name)

    def create_volume(self, volume):
        with open(self._path(volume.name), "wb") as f:
            f.write(HEADER)

    def delete_volume(self, volume):
        try:
            os.unlink(self._path(volume.name))
        except FileNotFoundError:
            pass

    def create_cloned_volume(self, volume, src_vref):
        shutil.copyfile(self._path(src_vref.name), self._path(volume.name))

    def create_snapshot(self, snapshot):
        shutil.copyfile(self._path(snapshot.volume_name), self._path(snapshot.name))

    def delete_snapshot(self, snapshot):
        try:
            os.unlink(self._path(snapshot.name))
        except FileNotFoundError:
            pass

    def create_volume_from_snapshot(self, volume, snapshot):
        shutil.copyfile(self._path(snapshot.name), self._path(volume.name))

    def extend_volume(self, volume, new_size):
        pass

    def revert_to_snapshot(self, context, volume, snapshot):
        shutil.copyfile(self._path(snapshot.name), self._path(volume.name))

    def clone_image(self, context, volume, image_location, image_meta, image_service):
        # Cinder 26 checks a downloaded image with `qemu-img info` through privsep before it calls
        # copy_image_to_volume (no qemu-img here, and privsep cannot drop capabilities in a container):
        # "cloning" (the first thing the create-from-image flow tries) writes the image bits directly.
        with open(self._path(volume.name), "wb") as f:
            image_service.download(context, image_meta["id"], data=f)
        return None, True

    def copy_image_to_volume(self, context, volume, image_service, image_id, disable_sparse=False):
        with open(self._path(volume.name), "wb") as f:
            image_service.download(context, image_id, data=f)

    def copy_volume_to_image(self, context, volume, image_service, image_meta):
        disk_format = image_meta.get("disk_format") or "raw"
        if disk_format == "raw":
            with open(self._path(volume.name), "rb") as f:
                image_service.update(context, image_meta["id"], {}, f)
            return
        # qemu-img's name of the format: Glance's vhd is qemu's vpc.
        qemu_format = {"vhd": "vpc"}.get(disk_format, disk_format)
        with tempfile.TemporaryDirectory(dir=self.root) as tmp:
            converted = os.path.join(tmp, "image")
            subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", qemu_format,
                            self._path(volume.name), converted],
                           check=True, capture_output=True)
            with open(converted, "rb") as f:
                image_service.update(context, image_meta["id"], {}, f)

    def ensure_export(self, context, volume):
        pass

    def create_export(self, context, volume, connector):
        pass

    def remove_export(self, context, volume):
        pass

    def create_export_snapshot(self, context, snapshot, connector):
        pass

    def remove_export_snapshot(self, context, snapshot):
        pass

    def initialize_connection(self, volume, connector, **kwargs):
        return {"driver_volume_type": "local",
                "data": {"device_path": self._path(volume.name)}}

    def terminate_connection(self, volume, connector, **kwargs):
        pass

    def _update_volume_stats(self):
        self._stats = {
            "volume_backend_name": self.backend_name,
            "vendor_name": "Open Source",
            "driver_version": self.VERSION,
            "storage_protocol": "local",
            "total_capacity_gb": 100000,
            "free_capacity_gb": 100000,
            "reserved_percentage": 0,
            "QoS_support": False,
            "thin_provisioning_support": True,
            "multiattach": True,
        }
