"""Packs the service config all five clients share (../service_config.json)
into the wheel as agora_token_client/service_config.json, copied at build
time so the repository holds one copy. Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHARED_SERVICE_CONFIG = Path(__file__).resolve().parent.parent / "service_config.json"


class BuildPyWithServiceConfig(build_py):
    def run(self):
        super().run()
        if not SHARED_SERVICE_CONFIG.is_file():
            raise FileNotFoundError(
                f"{SHARED_SERVICE_CONFIG} is missing: build the package from the repository")
        target = Path(self.build_lib) / "agora_token_client" / "service_config.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED_SERVICE_CONFIG, target)


setup(cmdclass={"build_py": BuildPyWithServiceConfig})
