#!/bin/sh
exec cat /etc/motd
