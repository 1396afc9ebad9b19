# A low-priority hog keeps the engine busy; an interactive client submits
# one short job, waits for it and sleeps. Modelled on drm_sched's KUnit
# two_clients case "Low priority hog and interactive client"
# (drivers/gpu/drm/scheduler/tests/tests_scheduler.c). The figure that
# matters is the interactive client's cycle time: the ideal is 10.5 ms.
workload interactive-beside-hog
description interactive client beside a low-priority hog (KUnit two_clients: Low priority hog and interactive client)

client interactive
	submit 500us
	wait 1
	sleep 10ms

client hog priority=low depth=2
	submit 2500us
	submit 2500us
	submit 2500us
	sleep 500us
