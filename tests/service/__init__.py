"""Tests of the systemd unit and plansmith.service."""
