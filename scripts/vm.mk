# QEMU runner targets; included by the top-level Makefile.
#
#   make vm-deps                       install the host packages the runner needs
#   make vm-check KERNELS="6.1 6.12"   the kernel matrix (default: all four)
#   make check-vm                      make check's VM stage: 6.12 and 6.1
#   make run-vm                        the default suite in a 6.12 guest
#                                      (DETERMINISTIC=1: the gate suite)
#   make kernel-6.1-self               build Debian's linux-source-6.1 with
#                                      scripts/kernel/drmbench.config, boot it
#                                      and run the quick suite (long: a kernel build)
#   make bisect-selftest               self-built kernel layout and bisect in guests
#
# DETERMINISTIC=1 boots every guest of these targets (and `make run`) in
# virtual time: vm-run --deterministic, docs/vm-runner.md.
#
# Kernels come from Debian's mirror into $(XDG_CACHE_HOME)/drmbench; see
# docs/vm-runner.md.

KERNELS ?= 6.1 6.12 7.2 7.3-rc
VM_KERNEL ?= 6.12
VM_CHECK_KERNELS ?= 6.12 6.1
VM_CHECK_TIMEOUT ?= 300
# The default suite took over 20 minutes in a TCG guest on a busy 2-core host.
VM_RUN_TIMEOUT ?= 3600
DETERMINISTIC ?= 0
ifeq ($(DETERMINISTIC),1)
VM_DETERMINISTIC_FLAG = --deterministic
# The default suite's spinning cases do not finish in virtual time: the
# gate suite, as ci/nightly's deterministic mode runs it (GATE_SAMPLES in
# scripts/lib.sh).
VM_SUITE ?= -n 1000 gate
else ifneq ($(DETERMINISTIC),0)
$(error DETERMINISTIC must be 0 or 1, not '$(DETERMINISTIC)')
endif
VM_SUITE ?= default

# Every host package scripts/ uses (all from bookworm).  The virgl ones are
# only for vm-run --virgl.
VM_PACKAGES = apt dpkg debian-archive-keyring coreutils util-linux \
	qemu-system-x86 busybox-static cpio xz-utils zstd \
	gcc make dwarves libelf1 libssl3 debootstrap
VM_VIRGL_PACKAGES = qemu-system-gui libvirglrenderer1 libsdl2-2.0-0
VM_LINT_PACKAGES = shellcheck devscripts
# scripts/kernel-build (a kernel from source): what kbuild needs besides gcc and make.
VM_KBUILD_PACKAGES = flex bison bc libelf-dev libssl-dev

.PHONY: vm-deps vm-guest-binaries vm-check check-vm run-vm vm-lint kernel-6.1-self bisect-selftest

vm-deps:
	apt-get update
	apt-get install -y --no-install-recommends $(VM_PACKAGES)

# The guest runs static binaries only; simgpu-test is optional until
# kmod/tests exists (vm-run then reports it missing).
vm-guest-binaries: bench/drmbench.static
	@if [ -f kmod/tests/Makefile ]; then \
		$(MAKE) -C kmod/tests; \
	else \
		echo "vm: no kmod/tests yet: guests have no simgpu-test"; \
	fi

vm-check: vm-guest-binaries
	scripts/vm-check $(VM_DETERMINISTIC_FLAG) $(KERNELS)

check-vm: vm-guest-binaries
	scripts/vm-check $(VM_DETERMINISTIC_FLAG) --timeout $(VM_CHECK_TIMEOUT) $(VM_CHECK_KERNELS)

run-vm: vm-guest-binaries
	scripts/vm-run $(VM_DETERMINISTIC_FLAG) -k $(VM_KERNEL) --timeout $(VM_RUN_TIMEOUT) -- run $(VM_SUITE)

# A kernel built here from source (docs/vm-runner.md "Your own kernel").
kernel-6.1-self: vm-guest-binaries
	dir=$$(scripts/kernel-build --debian-source 6.1) && \
		scripts/vm-run -k "$$dir" -t --timeout $(VM_RUN_TIMEOUT) -- run -q quick

# Minutes of guests, so not in make check (docs/vm-runner.md "Bisect").
bisect-selftest: vm-guest-binaries
	scripts/selftest-bisect -k $(VM_KERNEL)

vm-lint:
	shellcheck -x -s sh scripts/lib.sh scripts/kernel-fetch scripts/kmod-build \
		scripts/mkinitramfs scripts/guest-init scripts/vm-run scripts/vm-check ci/nightly \
		scripts/kernel-build scripts/bisect scripts/selftest-bisect scripts/selftest-tree
	checkbashisms -f scripts/lib.sh scripts/kernel-fetch scripts/kmod-build \
		scripts/mkinitramfs scripts/guest-init scripts/vm-run scripts/vm-check ci/nightly \
		scripts/kernel-build scripts/bisect scripts/selftest-bisect scripts/selftest-tree
