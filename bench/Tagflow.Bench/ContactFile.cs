using System.Globalization;
using System.Text;

namespace Tagflow.Bench;

/// <summary>
/// The CSV file of the import figures: contact k is <see cref="Addresses.OfImport"/>, subscribed with
/// its consent (optin_at, optin_ip), with the tags <c>T{k % 10}</c> and <c>G{k % 3}</c> and a value in
/// each of three custom fields. Written row by row, never held in memory.
/// </summary>
internal static class ContactFile
{
    /// <summary>The custom fields the file fills; the account needs them before the import (POST /field).</summary>
    public static readonly IReadOnlyList<string> FieldNames = ["Bench company", "Bench segment", "Bench customer number"];

    /// <summary>Writes <paramref name="contacts"/> rows, the fields under <paramref name="fieldKeys"/>; answers the file's size in bytes.</summary>
    public static long Write(string path, int contacts, IReadOnlyList<string> fieldKeys, CancellationToken cancellationToken)
    {
        using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 64 * 1024))
        {
            writer.WriteLine($"email,status,optin_at,optin_ip,tags,{string.Join(',', fieldKeys)}");
            for (var k = 0; k < contacts; k++)
            {
                if (k % 100_000 == 0) cancellationToken.ThrowIfCancellationRequested();
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Addresses.OfImport(k)},subscribed,2026-01-15T09:30:00Z,198.51.100.{k % 254 + 1},T{k % 10}|G{k % 3},Company {k % 5000},Segment {k % 7},{100_000 + k}"));
            }
        }
        return new FileInfo(path).Length;
    }
}
