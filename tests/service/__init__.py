"""Tests of the systemd unit and plansmith.daemon.systemd_install."""
