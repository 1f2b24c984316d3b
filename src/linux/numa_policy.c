#include "linux/numa_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/id_list.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define NODE_MAX 1023
#define NODE_WORDS ((NODE_MAX + 1) / ID_LIST_WORD_BITS)
#define NODE_ONLINE "/sys/devices/system/node/online"

int mempolicy_check(const struct spec_memory_policy *m, husk_error **err)
{
	if (!m->present)
		return 0;
	cleanup_free char *online = NULL;
	size_t len;
	if (read_file_at(AT_FDCWD, NODE_ONLINE, &online, &len, NULL) < 0)
		return husk_fail(err, 0, "linux.memoryPolicy: this kernel has no NUMA support (no " NODE_ONLINE ")");
	online[strcspn(online, "\n")] = '\0';
	if (m->nodes == NULL || (m->flags & MPOL_F_RELATIVE_NODES))
		return 0;
	unsigned long have[NODE_WORDS] = { 0 }, want[NODE_WORDS] = { 0 };
	char why[96];
	if (id_list_parse(online, NODE_MAX, "node", have, NODE_WORDS, why, sizeof(why)) < 0)
		return husk_fail(err, 0, NODE_ONLINE ": %s", why);
	if (id_list_parse(m->nodes, NODE_MAX, "node", want, NODE_WORDS, why, sizeof(why)) < 0)
		return husk_fail(err, 0, "linux.memoryPolicy.nodes: %s", why);
	for (unsigned n = 0; n <= NODE_MAX; n++)
		if (id_list_has(want, n) && !id_list_has(have, n))
			return husk_fail(err, 0, "linux.memoryPolicy.nodes: node %u does not exist on this host (online: %s)",
					 n, online);
	return 0;
}

int mempolicy_apply(const struct spec_memory_policy *m, husk_error **err)
{
	if (m == NULL || !m->present)
		return 0;
	unsigned long mask[NODE_WORDS] = { 0 };
	char why[96];
	bool nodes = m->nodes && *m->nodes;
	if (nodes && id_list_parse(m->nodes, NODE_MAX, "node", mask, NODE_WORDS, why, sizeof(why)) < 0)
		return husk_fail(err, 0, "linux.memoryPolicy.nodes: %s", why);
	/* maxnode counts one past the last bit the kernel reads. */
	if (syscall(SYS_set_mempolicy, m->mode | (int) m->flags, nodes ? mask : NULL,
		    nodes ? NODE_MAX + 2 : 0) < 0)
		return husk_fail(err, errno, "linux.memoryPolicy: set_mempolicy");
	return 0;
}
