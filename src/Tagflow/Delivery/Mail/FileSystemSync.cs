using System.Runtime.InteropServices;

namespace Tagflow.Delivery;

/// <summary>
/// On Linux, <c>syncfs</c> on a folder's file system: every file written there so far (or its
/// rename) reaches the disk in one journal commit, where a flush per file would cost one each.
/// </summary>
internal static class FileSystemSync
{
    /// <summary>Flushes the file system <paramref name="directory"/> is on; elsewhere than on Linux, nothing (the files are flushed one by one).</summary>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        // Any file of the folder's file system will do; an empty hidden one that is always there.
        using var handle = File.OpenHandle(Path.Combine(directory, ".sync"), FileMode.OpenOrCreate, FileAccess.Read);
        if (SyncFileSystem(handle.DangerousGetHandle().ToInt32()) != 0)
            throw new IOException($"syncfs failed with error {Marshal.GetLastPInvokeError()}.");
    }

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for one call with an int
    private static extern int SyncFileSystem(int fd);
#pragma warning restore SYSLIB1054
}
