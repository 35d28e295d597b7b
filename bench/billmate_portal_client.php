<?php
// Drives Qvickly's published PortalAPI (Billmate/qvickly-php-module, src/Portal/PortalAPI.php,
// not kept here) against custreg, unchanged: only its BASE_URL override and a custreg token.
// Run by bench/vendor_clients.py: php billmate_portal_client.php <module dir>, with BASE_URL and
// TOKEN in the environment. Prints one JSON object: each call's answer as the client returns it.
declare(strict_types=1);

require '/usr/share/php/GuzzleHttp/autoload.php';  // Debian's php-guzzlehttp-guzzle (Guzzle 7)
require $argv[1] . '/src/Enums/HttpMethod.php';
require $argv[1] . '/src/Portal/PortalAPI.php';

$api = new Qvickly\Api\Portal\PortalAPI(getenv('TOKEN'), false, ['BASE_URL' => getenv('BASE_URL')]);
$out = [];
$out['createPerson'] = $api->post('customers', ['name' => 'Nisse Hult', 'countrycode' => 'se', 'companyno' => '121212-1212']);
$out['createCompany'] = $api->post('customers', ['name' => 'Bolaget AB', 'countrycode' => 'se', 'companyno' => '556036-0793']);
$out['createUnknown'] = $api->post('customers', ['name' => 'Hult Nisse', 'countrycode' => 'se']);
$person = $out['createPerson']['mexcParamvaluesetsid'];
$company = $out['createCompany']['mexcParamvaluesetsid'];
$unknown = $out['createUnknown']['mexcParamvaluesetsid'];
// http_build_query: filter[0]=search&search[0]=Nisse+Hult&limit=20
$out['searchPhrase'] = $api->get('customers', null, [], ['filter' => ['search'], 'search' => ['Nisse Hult'], 'limit' => 20]);
$out['searchWords'] = $api->get('customers', null, [], ['filter' => ['search'], 'search' => ['Nisse', 'Hult']]);
$out['inline'] = $api->get('customers/?filter=search,isCustomerType&search=Bolaget&isCompany=1');
$out['countUnknown'] = $api->get('customers/count', null, [], ['filter' => 'isUnknown']);
$out['countPrivateOrCompany'] = $api->get('customers/count', null, [], ['filter' => 'isCustomerType', 'isPrivate' => 1, 'isCompany' => 1]);
$out['one'] = $api->get('customers/' . $person);
$out['patch'] = $api->patch('customers/' . $person, ['email' => 'nisse@example.se']);
$out['byOrgNumber'] = $api->get('customers/searchByOrgNumber/556036-0793');
$out['exportCsv'] = $api->get('customers/export/csv');  // not JSON: the client returns null
$out['missing'] = $api->get('customers/999999');
$out['deleteMany'] = $api->delete('customers', [$person, $company, $unknown]);
$out['countAfter'] = $api->get('customers/count');
echo json_encode($out, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE), "\n";
