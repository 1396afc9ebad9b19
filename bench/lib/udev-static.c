// SPDX-License-Identifier: MIT
/*
 * Linked into the static drmbench only: Debian ships no static libudev, and
 * libhwloc.a references it for OS device names. udev_new() returning NULL
 * is hwloc's documented "no udev" path, so topology still comes from sysfs.
 */
#include <stddef.h>

struct udev;
struct udev_device;

struct udev *udev_new(void)
{
	return NULL;
}

struct udev *udev_unref(struct udev *udev)
{
	(void)udev;
	return NULL;
}

struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev,
							   const char *subsystem,
							   const char *sysname)
{
	(void)udev;
	(void)subsystem;
	(void)sysname;
	return NULL;
}

const char *udev_device_get_property_value(struct udev_device *dev, const char *key)
{
	(void)dev;
	(void)key;
	return NULL;
}

struct udev_device *udev_device_unref(struct udev_device *dev)
{
	(void)dev;
	return NULL;
}
