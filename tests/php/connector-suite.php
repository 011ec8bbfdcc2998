<?php
/*
 * KlickTipp's official PHP connector, unchanged, against a running Tagflow server: every method it
 * has, in both of its modes (KlicktippConnector with a session, KlicktippPartnerConnector with a
 * developer key and a customer key), each checked for the answer its own docblocks promise.
 * tests/php/run starts the server and calls this; see the README, "Use it from PHP".
 *
 * Environment: KLICKTIPP_PHP_DIR (the connector's folder), TAGFLOW_PHP_URL (the base URL; the
 * connector uses port 80 whatever the URL says), TAGFLOW_PHP_USER, TAGFLOW_PHP_PASSWORD,
 * TAGFLOW_PHP_DEVELOPER_KEY, TAGFLOW_PHP_CUSTOMER_KEY, TAGFLOW_PHP_SINGLE_LIST (a single opt-in
 * process of the account).
 *
 * Prints one line per check and, last, the totals as "N passed, N failed"; exits 1 if any failed.
 */

declare(strict_types=1);

use Brainspin\LaravelKlicktipp\Services\KlicktippConnector;
use Brainspin\LaravelKlicktipp\Services\KlicktippPartnerConnector;

function env(string $name): string
{
    $value = getenv($name);
    if ($value === false || $value === '') {
        fwrite(STDERR, "connector-suite: $name is not set\n");
        exit(2);
    }
    return $value;
}

$dir = env('KLICKTIPP_PHP_DIR');
require $dir . '/KlicktippConnector.php';
require $dir . '/KlicktippPartnerConnector.php';

/** Keeps each call's parsed answer (status, unserialized body), so that a check can look past TRUE/FALSE. */
trait Recording
{
    public $last;

    protected function _http_request($path, $method = 'GET', $data = NULL, $usesession = TRUE, $default_header = array())
    {
        return $this->last = parent::_http_request($path, $method, $data, $usesession, $default_header);
    }
}

final class SessionConnector extends KlicktippConnector
{
    use Recording;
}

final class PartnerConnector extends KlicktippPartnerConnector
{
    use Recording;
}

$passed = 0;
$failed = 0;

function check(string $name, bool $ok, $detail = null): void
{
    global $passed, $failed;
    if ($ok) {
        $passed++;
        echo "ok - $name\n";
    } else {
        $failed++;
        echo "not ok - $name" . ($detail === null ? '' : ': ' . (is_string($detail) ? $detail : var_export($detail, true))) . "\n";
    }
}

$url = env('TAGFLOW_PHP_URL');
$user = env('TAGFLOW_PHP_USER');
$password = env('TAGFLOW_PHP_PASSWORD');
$developerKey = env('TAGFLOW_PHP_DEVELOPER_KEY');
$customerKey = env('TAGFLOW_PHP_CUSTOMER_KEY');
$single = (int)env('TAGFLOW_PHP_SINGLE_LIST');

/** Tagflow's own API for what the connector has no method for (listbuilding keys), as JSON with X-Un and X-Ci. */
function api(string $method, string $path, array $body): array
{
    global $url, $user, $developerKey, $customerKey;
    $ci = base64_encode(hash_hmac('sha256', $customerKey, pack('H*', $developerKey), true) . $customerKey);
    $context = stream_context_create(['http' => [
        'method' => $method,
        'header' => "Content-Type: application/json\r\nX-Un: $user\r\nX-Ci: $ci\r\n",
        'content' => json_encode($body),
        'ignore_errors' => true,
    ]]);
    $answer = file_get_contents(rtrim($url, '/') . $path, false, $context);
    return json_decode((string)$answer, true) ?? [];
}

/** The last answer's status code and unserialized body. */
function last(KlicktippConnector $kt): array
{
    return [(int)($kt->last->code ?? 0), $kt->last->data ?? null];
}

function scenario(KlicktippConnector $kt, string $mode): void
{
    global $user, $password, $single;
    $p = "[$mode]";
    $m = strtolower($mode);

    check("$p the connector reached the server", $kt->get_last_error() === '', $kt->get_last_error());
    check("$p login answers TRUE", $kt->login($user, $password) === true, $kt->get_last_error());

    // Drop-down data: processes, tags, fields.
    $lists = $kt->subscription_process_index();
    check("$p subscription_process_index answers an array id => name", is_array($lists) && isset($lists[$single]) && in_array('', $lists, true), $lists);
    $list = $kt->subscription_process_get($single);
    check("$p subscription_process_get answers an object", is_object($list) && $list->listid === (string)$single && $list->usesingleoptin === true, $list);

    $tagId = $kt->tag_create("PHP $mode Kunde", 'Kauft gern ein – öfter 😀');
    check("$p tag_create answers the new id", is_int($tagId) && $tagId > 0, $tagId);
    $tag = $kt->tag_get($tagId);
    check("$p tag_get answers an object", is_object($tag) && $tag->tagid === (string)$tagId && $tag->name === "PHP $mode Kunde" && $tag->text === 'Kauft gern ein – öfter 😀', $tag);
    check("$p tag_update answers TRUE", $kt->tag_update($tagId, "PHP $mode Stammkunde") === true, $kt->get_last_error());
    $tags = $kt->tag_index();
    check("$p tag_index answers an array id => name", is_array($tags) && ($tags[$tagId] ?? null) === "PHP $mode Stammkunde", $tags);
    $fields = $kt->field_index();
    check("$p field_index answers an array key => label", is_array($fields) && isset($fields['fieldFirstName'], $fields['fieldBirthday']), $fields);

    // A contact through a single opt-in process, with a tag and fields.
    $email = "anna.$m@example.com";
    $contact = $kt->subscribe($email, $single, $tagId, ['fieldFirstName' => 'Jürgen 😀', 'fieldLastName' => 'Groß']);
    check("$p subscribe answers the contact object", is_object($contact) && ctype_digit($contact->id) && $contact->email === $email
        && $contact->status === 'Subscribed' && $contact->fieldFirstName === 'Jürgen 😀' && $contact->fieldLastName === 'Groß'
        && isset($contact->manual_tags[$tagId]) && in_array((string)$tagId, $contact->tags, true), $contact);
    $id = is_object($contact) ? (int)$contact->id : 0;
    $found = $kt->subscriber_search($email);
    check("$p subscriber_search answers the id", $found === $id, $found);
    $read = $kt->subscriber_get($id);
    check("$p subscriber_get answers the contact object", is_object($read) && $read->id === (string)$id && $read->fieldLastName === 'Groß'
        && is_array($read->smart_tags) && is_array($read->emails_sent), $read);

    $newEmail = "anna.new.$m@example.com";
    check("$p subscriber_update answers TRUE", $kt->subscriber_update($id, ['fieldCity' => 'Köln'], $newEmail) === true, $kt->get_last_error());
    $read = $kt->subscriber_get($id);
    check("$p subscriber_update changed the address and the field", is_object($read) && $read->email === $newEmail && $read->fieldCity === 'Köln', $read);

    $second = $kt->tag_create("PHP $mode Newsletter");
    check("$p tag answers TRUE", $kt->tag($newEmail, [$second]) === true, $kt->get_last_error());
    check("$p tag assigned the tag", isset($kt->subscriber_get($id)->manual_tags[$second]));
    check("$p untag answers TRUE", $kt->untag($newEmail, $second) === true, $kt->get_last_error());
    check("$p untag removed the tag", !isset($kt->subscriber_get($id)->manual_tags[$second]));

    $tagged = $kt->subscriber_tagged($tagId);
    check("$p subscriber_tagged answers an array id => time of tagging", is_array($tagged) && isset($tagged[$id]) && ctype_digit($tagged[$id]), $tagged);
    $index = $kt->subscriber_index();
    check("$p subscriber_index answers an array of ids", is_array($index) && in_array((string)$id, $index, true), $index);
    $redirect = $kt->subscription_process_redirect($single, $newEmail);
    check("$p subscription_process_redirect answers a URL", is_string($redirect) && preg_match('~^https?://~', $redirect) === 1, $redirect);

    // A new contact without a process goes through the predefined double opt-in and waits.
    $pending = $kt->subscribe("waiting.$m@example.com");
    check("$p subscribe without a process leaves the contact pending", is_object($pending) && $pending->status === 'Opt-In Pending', $pending);
    // The contact made in the setup phase got its confirmation email "11 minutes ago" (tests/php/run):
    // resend may send it again (at most every 10 minutes).
    $resent = $kt->resend("pending.$m@example.com", 'autoresponder');
    check("$p resend answers TRUE", $resent === true, $kt->get_last_error());
    $index = $kt->subscriber_index();
    check("$p subscriber_index leaves out pending contacts, as KlickTipp's does", is_array($index) && is_object($pending) && !in_array($pending->id, $index, true), $index);

    // An error: the connector reports the reason phrase; the 406 body unserializes to an array with the error number.
    check("$p subscribe with an invalid address answers FALSE", $kt->subscribe('not-an-address') === false);
    $error = $kt->get_last_error();
    check("$p the connector reports Not Acceptable", str_contains($error, 'Not Acceptable'), $error);
    [$status, $body] = last($kt);
    check("$p the 406 body unserializes to an array whose error is 5", $status === 406 && is_array($body) && ($body['error'] ?? null) === 5, [$status, $body]);
    check("$p subscriber_get of no contact answers FALSE with Not Found",
        $kt->subscriber_get(999999999) === false && str_contains($kt->get_last_error(), 'Not Found'));

    // Listbuilding: a key of the account's, bound to the single opt-in process and a tag.
    $formTag = $kt->tag_create("PHP $mode Formular");
    $key = api('POST', '/listbuilding', ['name' => "PHP $mode form", 'listid' => $single, 'tagid' => $formTag]);
    $apikey = $key['apikey'] ?? '';
    check("$p a listbuilding key was made for the sign-in calls", $apikey !== '', $key);
    $formEmail = "form.$m@example.com";
    $next = $kt->signin($apikey, $formEmail, ['fieldFirstName' => 'Änne']);
    check("$p signin answers the thank-you URL", is_string($next) && preg_match('~^https?://~', $next) === 1, $next);
    $formId = $kt->subscriber_search($formEmail);
    $form = $kt->subscriber_get($formId);
    check("$p signin subscribed the contact with the key's tag", is_object($form) && $form->status === 'Subscribed' && $form->fieldFirstName === 'Änne'
        && isset($form->manual_tags[$formTag]), $form);
    check("$p signout answers TRUE", $kt->signout($apikey, $formEmail) === true, $kt->get_last_error());
    check("$p signout removed the key's tag", !isset($kt->subscriber_get($formId)->manual_tags[$formTag]));
    check("$p signoff answers TRUE", $kt->signoff($apikey, $formEmail) === true, $kt->get_last_error());
    check("$p signoff unsubscribed the contact", $kt->subscriber_get($formId)->status === 'Unsubscribed');

    // Unsubscribe, delete, and the tags go.
    check("$p unsubscribe answers TRUE", $kt->unsubscribe($newEmail) === true, $kt->get_last_error());
    check("$p unsubscribe unsubscribed the contact", $kt->subscriber_get($id)->status === 'Unsubscribed');
    check("$p subscriber_delete answers TRUE", $kt->subscriber_delete($id) === true, $kt->get_last_error());
    check("$p the deleted contact is gone", $kt->subscriber_get($id) === false && str_contains($kt->get_last_error(), 'Not Found'));
    check("$p tag_delete answers TRUE", $kt->tag_delete($second) === true, $kt->get_last_error());
    check("$p the deleted tag is gone", $kt->tag_get($second) === false);

    check("$p logout answers TRUE", $kt->logout() === true, $kt->get_last_error());
}

if (($argv[1] ?? '') === '--setup') {
    // One pending contact per mode, for resend: tests/php/run then dates their confirmation emails back.
    foreach (['session', 'partner'] as $m) {
        $contact = api('POST', '/subscriber', ['email' => "pending.$m@example.com"]);
        if (($contact['status'] ?? '') !== 'Opt-In Pending') {
            fwrite(STDERR, "connector-suite: setup failed: " . json_encode($contact) . "\n");
            exit(2);
        }
    }
    exit(0);
}

scenario(new SessionConnector($url), 'Session');
$session = new SessionConnector($url);
$session->login($user, $password);
$session->logout();
check('[Session] after logout the session is ended', $session->tag_index() === false && str_contains($session->get_last_error(), 'Forbidden'));

scenario(new PartnerConnector($user, $developerKey, $customerKey, $url), 'Partner');
$wrong = new PartnerConnector($user, $developerKey, str_repeat('0', strlen($customerKey)), $url);
check('[Partner] a wrong customer key answers FALSE with Forbidden', $wrong->tag_index() === false && str_contains($wrong->get_last_error(), 'Forbidden'));

echo "$passed passed, $failed failed\n";
exit($failed > 0 ? 1 : 0);
