# The compositor's submit thread runs SCHED_FIFO (the 2026 dri-devel
# question: does drm_sched's submit workqueue, at SCHED_NORMAL, delay a
# real-time submitter's jobs when the CPUs are busy?). Run it with
# sched-workload's `busy` parameter for CPU load and compare
# compositor-submit-run-ns across simgpu's submit_wq choices.
workload compositor-rt
description SCHED_FIFO compositor submit thread (60 Hz, 500 us jobs) beside a game
time-cap 10s

client compositor priority=high period=16667us rt=50
	submit 500us
	wait 1

client game depth=2
	submit 4ms
	submit 4ms
