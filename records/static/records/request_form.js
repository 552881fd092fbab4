// New request: choosing an agency picks its default statute (the user can still change it).
// Without JavaScript, the agency page's "New request to this agency" link pre-fills both.
(function () {
  const map = JSON.parse(document.getElementById("agency-statutes").textContent);
  const agency = document.getElementById("id_agency");
  const statute = document.getElementById("id_statute");
  if (!agency || !statute) return;
  agency.addEventListener("change", function () {
    const code = map[agency.value];
    if (code) statute.value = String(code);
  });
})();
