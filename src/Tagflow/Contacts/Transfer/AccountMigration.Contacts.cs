using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Tagflow.Fields;
using Source = Tagflow.Client;

namespace Tagflow.Contacts;

internal sealed partial class AccountMigration
{
    /// <summary>How many contacts are read from the source at a time.</summary>
    public const int Readers = 8;

    /// <summary>Contacts read before they are written out, in the source's order.</summary>
    private const int Chunk = 256;

    /// <summary>
    /// The ids of every contact of the source: every status and bounce state, since the lists leave out
    /// unsubscribed, pending and hard-bounced contacts unless told. Only ids are held (8 bytes each).
    /// </summary>
    public static async Task<List<long>> ContactIdsAsync(Source.KlickTippClient source, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        await foreach (var id in source.Contacts.ListAsync(Source.ContactFilter.Everyone, cancellationToken))
            ids.Add(id);
        return ids;
    }

    /// <summary>
    /// Reads each contact (<see cref="Readers"/> at a time) and writes it as a line of an NDJSON file in
    /// the import directory, under this account's keys and ids, telling <paramref name="progress"/> how
    /// many were read. Answers the file once it is complete and on disk; nothing of a run that stops is left.
    /// </summary>
    public async Task<string> WriteContactsAsync(Source.KlickTippClient source, MigrationMap map, IReadOnlyList<long> ids, Action<long, string> progress,
        CancellationToken cancellationToken)
    {
        var catalog = await FieldCatalog.LoadAsync(db, map.AccountId, cancellationToken);
        var directory = ContactImports.Directory(settings);
        // One name per account: a run that crashed while writing leaves a file the next run overwrites.
        var partial = Path.Combine(directory, $"migrate-{map.AccountId}.ndjson.partial");
        var lines = new ContactLines(source, map, catalog);
        var contacts = new Source.Contact?[Chunk];
        try
        {
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                for (var start = 0; start < ids.Count; start += Chunk)
                {
                    var count = Math.Min(Chunk, ids.Count - start);
                    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Readers, CancellationToken = cancellationToken },
                        async (i, ct) => contacts[i] = await ReadAsync(source, ids[start + i], ct));
                    for (var i = 0; i < count; i++)
                    {
                        if (contacts[i] is not { } contact) continue; // deleted in the source since it was listed
                        await file.WriteAsync(await lines.LineAsync(contact, cancellationToken), cancellationToken);
                        map.ContactsRead++;
                    }
                    progress(start + count, $"{start + count:N0} of {ids.Count:N0} contacts read from the source");
                }
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true); // the import that takes the file over may resume after a crash
            }
            lines.AddWarnings();
            var path = Path.Combine(directory, $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-migration.ndjson");
            File.Move(partial, path);
            return path;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    private static async Task<Source.Contact?> ReadAsync(Source.KlickTippClient source, long id, CancellationToken cancellationToken)
    {
        try
        {
            return await source.Contacts.GetAsync(id, cancellationToken);
        }
        catch (Source.KlickTippException e) when (e.Kind == Source.KlickTippErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes source contacts as lines of Tagflow's contact file (<see cref="TransferColumns"/>); counts
    /// what it had to leave out, for the warnings.
    /// </summary>
    private sealed class ContactLines(Source.KlickTippClient source, MigrationMap map, FieldCatalog catalog)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();
        private readonly Dictionary<string, int> _leftOut = new(StringComparer.Ordinal);
        private readonly HashSet<string> _unknownKeys = new(StringComparer.Ordinal);
        private int _unknownProcesses;
        private int _badAddresses;

        /// <summary>The contact's line, with its line break.</summary>
        public async Task<ReadOnlyMemory<byte>> LineAsync(Source.Contact c, CancellationToken cancellationToken)
        {
            _buffer.ResetWrittenCount();
            await using (var json = new Utf8JsonWriter(_buffer))
            {
                json.WriteStartObject();
                Text(json, TransferColumns.Email, c.Email);
                Text(json, TransferColumns.SmsPhone, c.SmsNumber);
                Text(json, TransferColumns.Status, c.Status switch
                {
                    Source.ContactStatus.OptInPending => "Opt-In Pending",
                    Source.ContactStatus.Subscribed => "Subscribed",
                    Source.ContactStatus.Unsubscribed => "Unsubscribed",
                    _ => "",
                });
                Text(json, TransferColumns.Bounce, c.Bounce switch
                {
                    Source.BounceStatus.NotBounced => "Not Bounced",
                    Source.BounceStatus.SoftBounce => "Soft Bounce",
                    Source.BounceStatus.HardBounce => "Hard Bounce",
                    Source.BounceStatus.SpamBounce => "Spam Bounce",
                    _ => "",
                });
                if (c.OptInProcessId is { } listId)
                {
                    if (!map.Processes.TryGetValue(listId, out var target))
                    {
                        _unknownProcesses++;
                        target = map.TargetPredefinedProcess;
                    }
                    Text(json, TransferColumns.ListId, target.ToString(CultureInfo.InvariantCulture));
                }
                Time(json, TransferColumns.SignupAt, c.SubscribedAt);
                Address(json, TransferColumns.SignupIp, c.Ip);
                Time(json, TransferColumns.OptInAt, c.OptInAt);
                Address(json, TransferColumns.OptInIp, c.OptInIp);
                Time(json, TransferColumns.UnsubscribedAt, c.UnsubscribedAt);
                Address(json, TransferColumns.UnsubscribedIp, c.UnsubscriptionIp);
                json.WriteStartArray(TransferColumns.Tags);
                foreach (var tagId in c.ManualTags.Keys)
                {
                    if (await TagNameAsync(tagId, cancellationToken) is { } name) json.WriteStringValue(name);
                }
                json.WriteEndArray();
                foreach (var (key, value) in c.Fields)
                {
                    if (value.Length == 0) continue;
                    if (!map.Fields.TryGetValue(key, out var field))
                    {
                        _unknownKeys.Add(key);
                        continue;
                    }
                    // A value that does not fit the field here stays behind, rather than the whole contact.
                    if (catalog.Check(new Dictionary<string, string?> { [field.Key] = value }).Error is not null)
                    {
                        _leftOut[field.Label] = _leftOut.GetValueOrDefault(field.Label) + 1;
                        continue;
                    }
                    json.WriteString(field.Key, value);
                }
                json.WriteEndObject();
            }
            _buffer.Write("\n"u8);
            return _buffer.WrittenMemory;
        }

        /// <summary>The target's name of a manual tag; a tag made in the source since the migration began is looked up once.</summary>
        private async Task<string?> TagNameAsync(long id, CancellationToken cancellationToken)
        {
            if (map.Tags.TryGetValue(id, out var name)) return name;
            try
            {
                // The import creates a manual tag of a name the account lacks.
                return map.Tags[id] = (await source.Tags.GetAsync(id, cancellationToken)).Name;
            }
            catch (Source.KlickTippException e) when (e.Kind == Source.KlickTippErrorKind.NotFound)
            {
                return map.Tags[id] = null;
            }
        }

        private static void Text(Utf8JsonWriter json, string key, string value)
        {
            if (value.Length > 0) json.WriteString(key, value);
        }

        /// <summary>ISO 8601 with the source zone's offset at that moment, as the client read it: the same instant here.</summary>
        private static void Time(Utf8JsonWriter json, string key, DateTimeOffset? time)
        {
            if (time is { } t) json.WriteString(key, t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        }

        private void Address(Utf8JsonWriter json, string key, string value)
        {
            if (value.Length == 0) return;
            if (IPAddress.TryParse(value, out _)) json.WriteString(key, value);
            else _badAddresses++;
        }

        public void AddWarnings()
        {
            foreach (var (label, count) in _leftOut.OrderBy(e => e.Key, StringComparer.Ordinal))
                map.Warnings.Add($"{(count == 1 ? "1 value" : $"{count} values")} of the data field \"{label}\" {(count == 1 ? "does" : "do")} not fit its type here and stayed behind.");
            if (_unknownKeys.Count > 0)
                map.Warnings.Add($"The contacts have values under keys the source's field list does not name ({string.Join(", ", _unknownKeys.Order().Take(5))}); they stayed behind.");
            if (_unknownProcesses > 0)
                map.Warnings.Add($"{_unknownProcesses} contacts signed up through an opt-in process the source no longer lists; they name this account's predefined process instead.");
            if (_badAddresses > 0)
                map.Warnings.Add($"{_badAddresses} consent addresses (ip, optin_ip, unsubscription_ip) are not IP addresses and stayed behind.");
        }
    }
}
