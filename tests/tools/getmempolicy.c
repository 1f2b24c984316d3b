/* getmempolicy: prints the calling process's NUMA policy as
 * "mode M flags F nodes 0xMASK" (get_mempolicy(2)), for the tests of
 * linux.memoryPolicy.  Linked statically: it runs in the busybox rootfs. */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_MODE_FLAGS 0xe000 /* MPOL_F_STATIC_NODES | _RELATIVE_NODES | _NUMA_BALANCING */

int main(void)
{
	int mode = 0;
	unsigned long nodes[16] = { 0 };
	if (syscall(SYS_get_mempolicy, &mode, nodes, 1025, NULL, 0) < 0) {
		perror("get_mempolicy");
		return 1;
	}
	printf("mode %d flags 0x%x nodes 0x%lx\n", mode & ~MPOL_MODE_FLAGS, mode & MPOL_MODE_FLAGS, nodes[0]);
	return 0;
}
