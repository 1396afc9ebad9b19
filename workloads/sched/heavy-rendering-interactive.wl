# Two clients at the same priority: a heavy renderer (three 2.5 ms jobs a
# frame, waiting for the last) and an interactive client (one 1 ms job
# every 10 ms). Modelled on drm_sched's KUnit two_clients case "Heavy
# rendering and interactive client".
workload heavy-rendering-interactive
description heavy rendering beside an interactive client, same priority (KUnit two_clients: Heavy rendering and interactive client)

client interactive
	submit 1ms
	wait 1
	sleep 9ms

client heavy
	submit 2500us
	submit 2500us
	submit 2500us
	wait 3
	sleep 2500us
