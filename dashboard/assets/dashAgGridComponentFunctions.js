// Cell renderers for dash-ag-grid (looked up by name in columnDefs' cellRenderer).
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

// The roster's compact per-principle coverage: one small bar per principle, its share of the principle's
// competencies rated proficient; the full wording is the cell's accessible name and tooltip.
dagcomponentfuncs.PrincipleBars = function (props) {
    const items = props.value || [];
    const text = items.map(function (p) {
        return p.name + ': ' + p.proficient + ' of ' + p.of + ' proficient';
    }).join('; ');
    return React.createElement('div', {className: 'principle-bars', role: 'img', 'aria-label': text, title: text},
        items.map(function (p) {
            const pct = p.share === null ? 0 : Math.round(p.share * 100);
            return React.createElement('span', {key: p.code, className: 'principle-bar'},
                React.createElement('span', {className: 'principle-bar-track'},
                    React.createElement('span', {className: 'principle-bar-fill', style: {height: pct + '%'}})),
                React.createElement('span', {className: 'principle-bar-label'}, p.abbr));
        }));
};

// The roster's worker name as a real button, announced as a control. Its click sends the row id to Dash as the
// grid's cellRendererData (the server checks the id before showing anything). AG Grid keeps keyboard focus on the
// cell, not on the button inside it, so Enter or Space on the cell presses the button.
dagcomponentfuncs.WorkerLink = function (props) {
    const button = React.useRef(null);
    React.useEffect(function () {
        const cell = props.eGridCell;
        if (!cell) return undefined;
        function press(event) {
            if ((event.key === 'Enter' || event.key === ' ') && event.target === cell && button.current) {
                event.preventDefault();
                button.current.click();
            }
        }
        cell.addEventListener('keydown', press);
        return function () { cell.removeEventListener('keydown', press); };
    }, [props.eGridCell]);
    return React.createElement('button', {
        type: 'button', className: 'btn btn-link p-0 roster-worker-button', ref: button, tabIndex: -1,
        onClick: function () { props.setData(props.data.row_id); },
    }, props.value);
};
