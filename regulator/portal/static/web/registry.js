// The district list follows the city chosen (progressive enhancement): without this script every district is
// listed, grouped by city, and the server checks that a district lies in its city.
(function () {
  "use strict";
  var city = document.getElementById("id_city");
  var district = document.getElementById("id_district");
  if (!city || !district) { return; }

  function follow() {
    var chosen = city.options[city.selectedIndex];
    var name = city.value ? chosen.text : "";
    var groups = district.getElementsByTagName("optgroup");
    for (var index = 0; index < groups.length; index++) {
      var keep = !name || groups[index].label === name;
      groups[index].hidden = !keep;
      groups[index].disabled = !keep;
    }
    var selected = district.options[district.selectedIndex];
    if (selected && selected.parentNode.tagName === "OPTGROUP" && selected.parentNode.disabled) {
      district.value = "";
    }
  }

  city.addEventListener("change", follow);
  follow();
}());
