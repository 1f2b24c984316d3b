/* swapper DIR A B: exchanges the names A and B in DIR (renameat2
 * RENAME_EXCHANGE) as fast as it can, until killed.  A sibling container
 * racing husk's path lookups on a shared volume, at kernel speed rather
 * than a shell's. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: swapper DIR A B\n");
		return 2;
	}
	int dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		perror(argv[1]);
		return 1;
	}
	for (;;)
		if (renameat2(dir, argv[2], dir, argv[3], RENAME_EXCHANGE) < 0) {
			perror("renameat2");
			return 1;
		}
}
