# A compositor at high priority composes a frame every 16.7 ms (one 1 ms
# job, waited for); a game at normal priority renders as fast as it can
# (three 4 ms jobs a frame, two frames in flight). Missed periods are the
# compositor's missed frames.
workload compositor-beside-game
description high-priority compositor (60 Hz) beside a game that renders flat out
time-cap 10s

client compositor priority=high period=16667us
	submit 1ms
	wait 1

client game depth=2
	submit 4ms
	submit 4ms
	submit 4ms
