# Identical clients, each submitting a 1 ms job, waiting for it and
# sleeping 1 ms. Modelled on drm_sched's KUnit many_clients scenario:
# what matters is the spread of cycle times between the clients
# (fairness-spread). sched-workload's `clients` parameter sets how many
# (2..31 in the suite; the file's count is 8).
workload many-clients
description identical clients, one 1 ms job and 1 ms sleep a cycle (KUnit many_clients)

client client count=8
	submit 1ms
	wait 1
	sleep 1ms
