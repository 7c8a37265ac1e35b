(function () {
  var box = document.getElementById('verdict-filter');
  if (!box) return;
  box.hidden = false;
  function apply() {
    var on = {};
    box.querySelectorAll('input').forEach(function (c) { on[c.value] = c.checked; });
    document.querySelectorAll('#provisions tr[data-verdict]').forEach(function (r) {
      r.hidden = !on[r.getAttribute('data-verdict')];
    });
  }
  box.addEventListener('change', apply);
})();
