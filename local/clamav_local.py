"""ClamAV on this machine, for tests, `make run` and `make bench`: a signature database made from
the EICAR test string (freshclam cannot reach the internet here; production uses the official
databases, see infra/README.md) and a clamd of our own with the project's limits, on its own
socket under a directory we choose.

    python -m local.clamav_local --build-db DIR     # what `make deps` runs"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

from chalicelib.files.clamav import ClamdScanner, clamd_config

# The standard anti-virus test file (https://www.eicar.org): harmless, detected by every engine.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
HDB_NAME = "Marketplace.Test.EICAR.MD5"
NDB_NAME = "Marketplace.Test.EICAR.Body"


def installed() -> bool:
    return all(shutil.which(tool) for tool in ("clamd", "clamscan", "sigtool"))


def build_test_database(directory: str) -> str:
    """``test.hdb`` (whole-file MD5 of EICAR, made by ``sigtool --md5``) and ``test.ndb`` (the
    EICAR body anywhere in a file). Returns the directory."""
    os.makedirs(directory, exist_ok=True)
    sample = os.path.join(directory, "eicar.sample")
    with open(sample, "wb") as f:
        f.write(EICAR)
    try:
        line = subprocess.run(["sigtool", "--md5", sample], check=True, capture_output=True, text=True).stdout.strip()
    finally:
        os.remove(sample)
    md5, size, _ = line.split(":", 2)
    with open(os.path.join(directory, "test.hdb"), "w") as f:
        f.write(f"{md5}:{size}:{HDB_NAME}\n")
    body = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE".hex()
    with open(os.path.join(directory, "test.ndb"), "w") as f:
        f.write(f"{NDB_NAME}:0:*:{body}\n")
    return directory


@dataclass
class LocalClamd:
    """A clamd process of our own. ``start`` waits until it answers PING."""

    workdir: str
    database_dir: str
    process: subprocess.Popen | None = None

    @property
    def socket_path(self) -> str:
        return os.path.join(self.workdir, "clamd.sock")

    def start(self, timeout: float = 60.0) -> LocalClamd:
        os.makedirs(self.workdir, exist_ok=True)
        tmp = os.path.join(self.workdir, "tmp")
        os.makedirs(tmp, exist_ok=True)
        config = os.path.join(self.workdir, "clamd.conf")
        with open(config, "w") as f:
            f.write(clamd_config(socket_path=self.socket_path, database_dir=self.database_dir, temp_dir=tmp,
                                 pid_file=os.path.join(self.workdir, "clamd.pid"),
                                 log_file=os.path.join(self.workdir, "clamd.log")))
        self.process = subprocess.Popen(["clamd", "-c", config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        scanner = ClamdScanner(self.socket_path, timeout=5)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"clamd exited with {self.process.returncode}; see {self.workdir}/clamd.log")
            if os.path.exists(self.socket_path) and scanner.ping():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("clamd did not answer in time")

    def scanner(self) -> ClamdScanner:
        return ClamdScanner(self.socket_path)

    def kill(self) -> None:
        """Ends the daemon abruptly (a crashed scanner)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ClamAV helpers for local runs and tests")
    parser.add_argument("--build-db", metavar="DIR", required=True)
    args = parser.parse_args(argv)
    print(build_test_database(args.build_db))
    return 0


if __name__ == "__main__":
    sys.exit(main())
