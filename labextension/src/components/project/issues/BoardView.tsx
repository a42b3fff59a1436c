import * as React from 'react';

import { errorMessage, type IBoard, type IIssueCard } from '../../../api';
import { ErrorLine } from '../../status';
import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';

/** A card with a column picker to move it (`PUT …/board/issues/{n}`). */
function Card(props: {
  card: IIssueCard;
  board: IBoard;
  columnId: number;
  onOpen: () => void;
  onMove: (columnId: number) => void;
}): JSX.Element {
  const { card, board, columnId, onOpen, onMove } = props;
  const { trans } = useEnv();
  return (
    <li className="openi-BoardCard" data-testid="openi-board-card">
      <button type="button" className="openi-LinkButton" onClick={onOpen}>
        #{card.number} {card.title}
      </button>
      <select
        className="openi-Select"
        value={columnId}
        aria-label={trans.__('Move to column')}
        onChange={e => onMove(Number(e.currentTarget.value))}
      >
        {board.columns.map(c => (
          <option key={c.id} value={c.id}>
            {c.title}
          </option>
        ))}
      </select>
    </li>
  );
}

/** The board (看板): columns of issue cards. */
export function BoardView(props: {
  onOpen: (number: number) => void;
}): JSX.Element {
  const { onOpen } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const board = useAsync(() => repo.board(), repo.fullName);
  const [error, setError] = React.useState<string | undefined>();
  const move = async (number: number, columnId: number): Promise<void> => {
    setError(undefined);
    try {
      await repo.moveCard(number, columnId, 0);
      board.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <>
      {error && <ErrorLine trans={trans} message={error} />}
      <AsyncView state={board}>
        {data => (
          <div className="openi-Board" data-testid="openi-board">
            {data.columns.map(column => (
              <section key={column.id} className="openi-BoardColumn">
                <h4 className="openi-BoardColumn-title">
                  {column.title}{' '}
                  <span className="openi-muted">{column.issues.length}</span>
                </h4>
                <ul className="openi-List">
                  {column.issues.map(card => (
                    <Card
                      key={card.number}
                      card={card}
                      board={data}
                      columnId={column.id}
                      onOpen={() => onOpen(card.number)}
                      onMove={c => void move(card.number, c)}
                    />
                  ))}
                </ul>
              </section>
            ))}
          </div>
        )}
      </AsyncView>
    </>
  );
}
