using static Skiff.IntegrationTests.Sandbox;

namespace Skiff.IntegrationTests;

/// <summary>
/// A small static C program, built with the host's gcc at test time, that makes the syscalls
/// busybox cannot (keyctl, add_key, raw opens of /proc paths) and prints one "what=result" line
/// each, the result being OK or the errno's name. Containers get it through a read-only bind mount
/// at <see cref="InContainer"/>.
/// </summary>
public static class ProbeProgram
{
    public const string InContainer = "/probe/probe";

    /// <summary>The -v argument that puts the probe into a container.</summary>
    public static string Volume => $"{Directory.Value}:/probe:ro";

    private static readonly Lazy<string> Directory = new(Build);

    private static string Build()
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("skiff-probe").FullName;
        File.WriteAllText(Path.Join(dir, "probe.c"), Source);
        var r = Run("gcc", ["-static", "-O2", "-o", Path.Join(dir, "probe"), Path.Join(dir, "probe.c")]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return dir;
    }

    private const string Source = """
        #define _GNU_SOURCE
        #include <dirent.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <sched.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/syscall.h>
        #include <time.h>
        #include <unistd.h>
        static void report(const char *what, long r) { if (r < 0) printf("%s=%s\n", what, strerrorname_np(errno)); else printf("%s=OK\n", what); }
        int main(int argc, char **argv) {
          for (int i = 1; i < argc; i++) {
            const char *a = argv[i];
            if (!strcmp(a, "keyctl")) report(a, syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -2 /* process keyring */, 1));
            else if (!strcmp(a, "add_key")) report(a, syscall(SYS_add_key, "user", "skiff-probe", "x", 1, -2));
            else if (!strcmp(a, "unshare-user")) report(a, unshare(CLONE_NEWUSER));
            else if (!strcmp(a, "fds")) {
              DIR *d = opendir("/proc/self/fd"); struct dirent *e; char p[64], t[4096];
              while ((e = readdir(d))) {
                if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d)) continue;
                snprintf(p, sizeof p, "/proc/self/fd/%s", e->d_name);
                ssize_t n = readlink(p, t, sizeof t - 1); t[n < 0 ? 0 : n] = 0;
                printf("fd %s %s\n", e->d_name, t);
              }
              closedir(d);
            } else if (!strcmp(a, "cwd")) printf("cwd=%s\n", getcwd(NULL, 0) ? "reachable" : strerrorname_np(errno));
            else if (!strncmp(a, "loop=", 5)) {
              long n = atol(a + 5); struct timespec s, f;
              clock_gettime(CLOCK_MONOTONIC, &s);
              for (long k = 0; k < n; k++) syscall(SYS_getpid);
              clock_gettime(CLOCK_MONOTONIC, &f);
              printf("ns_per_getpid=%.1f\n", ((f.tv_sec - s.tv_sec) * 1e9 + (f.tv_nsec - s.tv_nsec)) / n);
            }
            else if (!strncmp(a, "write=", 6)) report(a, open(a + 6, O_WRONLY));
            else if (!strncmp(a, "read=", 5)) report(a, open(a + 5, O_RDONLY));
            else if (!strncmp(a, "path=", 5)) report(a, open(a + 5, O_PATH));
            else if (!strncmp(a, "readlink=", 9)) {
              char t[4096]; ssize_t n = readlink(a + 9, t, sizeof t - 1);
              if (n < 0) report(a, n); else { t[n] = 0; printf("%s=%s\n", a, t); }
            }
          }
          return 0;
        }
        """;
}
