"""Resource specs (规格) and the devices of this machine.

A spec is what one task gets: a compute resource (CPU, GPU or NPU), cards of an accelerator
type, CPU cores, memory and a time limit, queued FIFO in its queue. The catalogue is the
``OpeniLabApp.resource_specs`` trait; the devices are discovered (``nvidia-smi``, ``npu-smi``)
or declared (``OpeniLabApp.declared_devices``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any

from openi_lab import schemas as s

#: The default catalogue; ``time_limit`` in seconds (0: none).
DEFAULT_SPECS: list[dict[str, Any]] = [
    {"id": "cpu-small", "compute": "CPU", "cpu": 1, "memory_gib": 2, "queue": "cpu"},
    {"id": "cpu-4", "compute": "CPU", "cpu": 4, "memory_gib": 8, "queue": "cpu"},
    {
        "id": "gpu-t4",
        "compute": "GPU",
        "accelerator": "T4",
        "cards": 1,
        "cpu": 4,
        "memory_gib": 16,
        "accelerator_memory_gib": 16,
        "queue": "gpu-t4",
    },
    {
        "id": "npu-910",
        "compute": "NPU",
        "accelerator": "Ascend-910",
        "cards": 1,
        "cpu": 24,
        "memory_gib": 256,
        "accelerator_memory_gib": 32,
        "queue": "npu-910",
    },
]


@dataclass(frozen=True)
class Spec:
    id: str
    compute: str
    cpu: int
    memory_gib: float
    accelerator: str | None = None
    cards: int = 0
    accelerator_memory_gib: float = 0
    time_limit: float = 0
    queue: str = ""

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Spec:
        compute = str(raw.get("compute", "CPU")).upper()
        if compute not in ("CPU", "GPU", "NPU"):
            raise ValueError(f"resource spec {raw.get('id')!r}: compute must be CPU, GPU or NPU")
        accelerator = raw.get("accelerator") or None
        cards = int(raw.get("cards", 1 if accelerator else 0))
        if compute != "CPU" and (not accelerator or cards < 1):
            raise ValueError(f"resource spec {raw.get('id')!r}: {compute} needs accelerator, cards")
        return cls(
            id=str(raw["id"]),
            compute=compute,
            cpu=int(raw.get("cpu", 1)),
            memory_gib=float(raw.get("memory_gib", 2)),
            accelerator=accelerator,
            cards=cards if compute != "CPU" else 0,
            accelerator_memory_gib=float(raw.get("accelerator_memory_gib", 0)),
            time_limit=float(raw.get("time_limit", 0)),
            queue=str(raw.get("queue") or raw["id"]),
        )

    @property
    def label(self) -> str:
        """``GPU: 1 * T4(16GB) | CPU: 4 cores | 16 GiB`` (the form of the SPEC)."""
        parts = []
        if self.compute != "CPU":
            mem = f"({self.accelerator_memory_gib:g}GB)" if self.accelerator_memory_gib else ""
            parts.append(f"{self.compute}: {self.cards} * {self.accelerator}{mem}")
        parts.append(f"CPU: {self.cpu} cores")
        parts.append(f"{self.memory_gib:g} GiB")
        return " | ".join(parts)


def load_specs(raw: list[dict[str, Any]] | None) -> dict[str, Spec]:
    specs = [Spec.from_dict(r) for r in (raw if raw else DEFAULT_SPECS)]
    return {spec.id: spec for spec in specs}


@dataclass(frozen=True)
class Device:
    kind: str  # GPU | NPU
    type: str  # "Tesla T4", "Ascend-910"
    id: str  # the index the task sees in CUDA_VISIBLE_DEVICES / ASCEND_VISIBLE_DEVICES
    memory_gib: float = 0

    @property
    def key(self) -> str:
        """What ``device_allocations`` holds: ``GPU:0``."""
        return f"{self.kind}:{self.id}"


@dataclass
class Node:
    """What this machine offers."""

    cpu: int
    memory_gib: float
    devices: list[Device] = field(default_factory=list)

    def matching(self, spec: Spec) -> list[Device]:
        """Devices of the spec's compute kind and accelerator type."""
        if spec.compute == "CPU" or not spec.accelerator:
            return []
        want = _norm(spec.accelerator)
        return [d for d in self.devices if d.kind == spec.compute and want in _norm(d.type)]

    def can_serve(self, spec: Spec) -> tuple[bool, str]:
        """Whether a task of this spec can ever run here, and why not."""
        if spec.compute != "CPU":
            found = self.matching(spec)
            if not found:
                return False, f"no {spec.accelerator} on this server"
            if len(found) < spec.cards:
                return False, f"this server has {len(found)} {spec.accelerator}, {spec.cards} asked"
        if spec.cpu > self.cpu:
            return False, f"this server has {self.cpu} CPU cores, {spec.cpu} asked"
        if self.memory_gib and spec.memory_gib > self.memory_gib:
            return False, f"this server has {self.memory_gib:.0f} GiB memory"
        return True, ""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    except (ValueError, OSError, AttributeError):
        return 0.0


def _run(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def nvidia_gpus() -> list[Device]:
    out = _run(["nvidia-smi", "--query-gpu=index,name,memory.total", "--format=csv,noheader"])
    devices = []
    for line in (out or "").splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) >= 2 and parts[0].isdigit():
            mem = re.match(r"(\d+)", parts[2]) if len(parts) > 2 else None
            devices.append(Device("GPU", parts[1], parts[0], int(mem[1]) / 1024 if mem else 0))
    return devices


def ascend_npus() -> list[Device]:
    """``npu-smi info -l``: ``NPU ID : 0`` … ``Chip Name : 910B`` blocks."""
    out = _run(["npu-smi", "info", "-l"])
    devices: list[Device] = []
    current: str | None = None
    for line in (out or "").splitlines():
        key, _, value = (p.strip() for p in line.partition(":"))
        if key.lower() == "npu id" and value.isdigit():
            current = value
            devices.append(Device("NPU", "Ascend-910", current))
        elif current is not None and key.lower() in ("chip name", "name") and value:
            name = value if value.lower().startswith("ascend") else f"Ascend-{value}"
            devices[-1] = Device("NPU", name, current)
    return devices


def declared(raw: list[dict[str, Any]]) -> list[Device]:
    devices = []
    for entry in raw:
        kind = str(entry.get("kind", "GPU")).upper()
        for dev_id in entry.get("ids", []):
            devices.append(Device(kind, str(entry["type"]), str(dev_id)))
    return devices


def discover(declared_devices: list[dict[str, Any]] | None = None, probe: bool = True) -> Node:
    """This machine: CPU cores, memory, GPUs and NPUs found plus those declared."""
    devices = (nvidia_gpus() + ascend_npus()) if probe else []
    seen = {d.key for d in devices}
    for d in declared(declared_devices or []):
        if d.key not in seen:
            devices.append(d)
            seen.add(d.key)
    return Node(cpu=os.cpu_count() or 1, memory_gib=_memory_gib(), devices=devices)


def spec_out(spec: Spec, node: Node) -> s.ResourceSpec:
    ok, reason = node.can_serve(spec)
    return s.ResourceSpec(
        id=spec.id,
        compute=spec.compute,
        accelerator=spec.accelerator,
        cards=spec.cards,
        cpu=spec.cpu,
        memory_gib=spec.memory_gib,
        accelerator_memory_gib=spec.accelerator_memory_gib,
        time_limit=spec.time_limit,
        queue=spec.queue,
        label=spec.label,
        available=ok,
        reason=reason,
    )
