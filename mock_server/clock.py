"""A sandbox's time, and the one timestamp format every API's records use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """A sandbox's time: real UTC time, optionally frozen at or shifted by a fixed amount."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._offset = timedelta()

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def set(self, when: datetime) -> None:
        self._frozen = when.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock; raises OverflowError (and changes nothing) past year 1..9999."""
        delta = timedelta(seconds=seconds)
        if self._frozen is not None:
            self._frozen = self._frozen + delta
        else:
            offset = self._offset + delta
            datetime.now(UTC) + offset + timedelta(days=366)
            self._offset = offset

    def reset(self) -> None:
        self._frozen = None
        self._offset = timedelta()

    def timestamp(self) -> float:
        return self.now().timestamp()


def isoformat(when: datetime) -> str:
    """ISO-8601 UTC with a Z suffix and millisecond precision."""
    if when.tzinfo is UTC:  # a sandbox clock's own time: "+00:00" becomes "Z"
        return when.isoformat(timespec="milliseconds")[:-6] + "Z"
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
